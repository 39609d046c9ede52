using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Internal;
using System.Security;
using System.Text;

namespace RdsPlan.Engine;

/// <summary>
/// The PSHost of the engine. SMA routes ShouldProcess "What if:" lines, Write-Host,
/// warnings, verbose and Out-Default's formatted text through the host UI, so this host
/// decides what reaches stdout and stderr; it mirrors pwsh's ConsoleHost when its output
/// is redirected (no colours, no prompts).
/// </summary>
internal sealed class EngineHost : PSHost
{
    private readonly EngineHostUI _ui = new();
    private readonly Guid _id = Guid.NewGuid();

    public int? ExitCode { get; private set; }

    public override string Name => "ConsoleHost";
    public override Version Version => typeof(PSObject).Assembly.GetName().Version ?? new Version(7, 6);
    public override Guid InstanceId => _id;
    public override PSHostUserInterface UI => _ui;
    internal EngineHostUI EngineUI => _ui;
    public override CultureInfo CurrentCulture => CultureInfo.CurrentCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.CurrentUICulture;

    // `exit N` in a -Command script (not in a script file) ends up here through the
    // runspace's host, as in ConsoleHost.
    public override void SetShouldExit(int exitCode) => ExitCode = exitCode;
    public override void EnterNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported by rdsplan-engine.");
    public override void ExitNestedPrompt() => throw new NotSupportedException("Nested prompts are not supported by rdsplan-engine.");
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
}

internal sealed class EngineHostUI : PSHostUserInterface
{
    private readonly EngineRawUI _raw = new();
    // Out-String renders through Out-Default into this stack instead of stdout.
    private readonly Stack<StringBuilder> _captures = new();

    public EngineHostUI() => Current = this;

    /// <summary>The process has one host; Out-String reaches it through this.</summary>
    internal static EngineHostUI? Current { get; private set; }

    public override PSHostRawUserInterface RawUI => _raw;
    internal bool VerboseEnabled { get; set; } = true;

    internal IDisposable Capture(StringBuilder sink, int width)
    {
        _captures.Push(sink);
        int old = _raw.Width;
        _raw.Width = width;
        return new Pop(() => { _captures.Pop(); _raw.Width = old; });
    }

    private sealed class Pop(Action a) : IDisposable { public void Dispose() => a(); }

    private void Out(string text)
    {
        // pwsh strips ANSI decoration (table headers, $PSStyle) when output is redirected.
        if (text.IndexOf('\u001b') >= 0) text = new StringDecorated(text).ToString(OutputRendering.PlainText);
        if (_captures.Count > 0) _captures.Peek().Append(text);
        else Console.Out.Write(text);
    }

    public override void Write(string value) => Out(value);
    public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Out(value);
    public override void WriteLine(string value) => Out(value + Environment.NewLine);
    public override void WriteLine() => Out(Environment.NewLine);
    public override void WriteLine(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Out(value + Environment.NewLine);

    // pwsh writes the error stream to stderr; warnings, verbose and debug go to stdout
    // with a prefix (ConsoleHostUserInterface.WriteWarningLine & co.).
    public override void WriteErrorLine(string value)
    {
        if (value.IndexOf('\u001b') >= 0) value = new StringDecorated(value).ToString(OutputRendering.PlainText);
        if (_captures.Count > 0) { _captures.Peek().Append(value).Append(Environment.NewLine); return; }
        Console.Error.WriteLine(value);
    }
    public override void WriteDebugLine(string message) => WriteLine("DEBUG: " + message);
    public override void WriteVerboseLine(string message) => WriteLine("VERBOSE: " + message);
    public override void WriteWarningLine(string message) => WriteLine("WARNING: " + message);
    public override void WriteProgress(long sourceId, ProgressRecord record) { }

    // The engine is always non-interactive: anything that would prompt fails like
    // pwsh -NonInteractive does.
    private static Exception NoPrompt() => new PSInvalidOperationException(
        "PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.");
    public override string ReadLine() => throw NoPrompt();
    public override SecureString ReadLineAsSecureString() => throw NoPrompt();
    public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw NoPrompt();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw NoPrompt();
    public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw NoPrompt();
    public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw NoPrompt();
}

internal sealed class EngineRawUI : PSHostRawUserInterface
{
    // pwsh with redirected output formats for a 120-column buffer.
    internal int Width { get; set; } = 120;

    public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;
    public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
    public override Coordinates CursorPosition { get; set; }
    public override Coordinates WindowPosition { get; set; }
    public override int CursorSize { get; set; }
    public override Size BufferSize { get => new Size(Width, 9001); set { } }
    public override Size WindowSize { get => new Size(Width, 50); set { } }
    public override Size MaxWindowSize => new Size(Width, 50);
    public override Size MaxPhysicalWindowSize => new Size(Width, 50);
    public override bool KeyAvailable => false;
    public override string WindowTitle { get; set; } = "rdsplan-engine";
    public override void FlushInputBuffer() { }
    public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();
    public override KeyInfo ReadKey(ReadKeyOptions options) => throw new PSInvalidOperationException("PowerShell is in NonInteractive mode. Read and Prompt functionality is not available.");
    public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
    public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
    public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
}
