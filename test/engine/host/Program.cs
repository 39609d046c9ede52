using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Text;

namespace RdsPlan.Engine;

/// <summary>
/// rdsplan-engine: a pwsh-compatible command line over System.Management.Automation alone,
/// so the generated scripts run in a real PowerShell engine where pwsh is not installed.
/// </summary>
public static class Program
{
    private const int ExitSuccess = 0;
    private const int ExitBadCommandLine = 64; // pwsh's exit code for a command line it cannot use

    public static int Main(string[] args)
    {
        CommandLine cl;
        try { cl = CommandLine.Parse(args); }
        catch (CommandLineException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitBadCommandLine;
        }
        if (cl.ShowHelp)
        {
            Console.Out.WriteLine("Usage: rdsplan-engine [-NoLogo] [-NoProfile] [-NonInteractive] [-NoExit] [-ExecutionPolicy <p>] [-WorkingDirectory <dir>] (-File <path> [args...] | -Command <text>|- | -EncodedCommand <base64>)");
            return ExitSuccess;
        }
        PrepareEnvironment();
        if (cl.WorkingDirectory != null) Directory.SetCurrentDirectory(cl.WorkingDirectory);

        var host = new EngineHost();
        using Runspace rs = EngineRunspace.Open(host);
        var session = new Session(rs, host);
        return session.Run(cl);
    }

    /// <summary>
    /// SMA reads these at start-up: telemetry would try the network, a user's PSModulePath
    /// could shadow commands, and several code paths need a real HOME.
    /// </summary>
    private static void PrepareEnvironment()
    {
        Environment.SetEnvironmentVariable("POWERSHELL_TELEMETRY_OPTOUT", "1");
        Environment.SetEnvironmentVariable("POWERSHELL_UPDATECHECK", "Off");
        string tmp = Path.GetTempPath();
        string modules = Path.Combine(tmp, "rdsplan-engine-empty-psmodulepath");
        Directory.CreateDirectory(modules);
        Environment.SetEnvironmentVariable("PSModulePath", modules);
        string? home = Environment.GetEnvironmentVariable("HOME");
        if (string.IsNullOrEmpty(home) || !Directory.Exists(home))
            Environment.SetEnvironmentVariable("HOME", tmp);
    }
}

internal static class EngineRunspace
{
    public static Runspace Open(EngineHost host)
    {
        // CreateDefault2 only: CreateDefault() (and a runspace without an ISS) tries to load
        // the Utility/Management snap-ins, which are not part of the SMA package.
        // ExecutionPolicy must stay unset: setting it throws PlatformNotSupportedException
        // on Linux, where no policy is enforced anyway.
        var iss = InitialSessionState.CreateDefault2();
        foreach (Type t in typeof(EngineRunspace).Assembly.GetTypes())
        {
            if (t.GetCustomAttribute<CmdletAttribute>() is { } attr && typeof(Cmdlet).IsAssignableFrom(t))
                iss.Commands.Add(new SessionStateCmdletEntry($"{attr.VerbName}-{attr.NounName}", t, null));
        }
        Runspace rs = RunspaceFactory.CreateRunspace(host, iss);
        rs.Open();
        Runspace.DefaultRunspace = rs;
        // pwsh strips ANSI escapes when its output is redirected; PlainText does that here.
        PSStyle.Instance.OutputRendering = OutputRendering.PlainText;
        return rs;
    }
}

internal sealed class Session(Runspace rs, EngineHost host)
{
    private const int ExitSuccess = 0;
    private const int ExitFailure = 1;

    public int Run(CommandLine cl)
    {
        int code;
        if (cl.File != null)
        {
            code = RunFile(cl.File, cl.FileArgs, out bool exited);
            if (exited || !cl.NoExit) return code;
        }
        else if (cl.Command != null && cl.Command != "-")
        {
            code = RunCommand(cl.Command, out bool exited);
            if (exited || !cl.NoExit) return code;
        }
        // -Command -, -NoExit, or no command at all with redirected stdin: read commands.
        return RunStdin();
    }

    private int RunFile(string file, IReadOnlyList<CommandParameter> args, out bool exited)
    {
        exited = false;
        string full = Path.GetFullPath(file);
        if (!File.Exists(full))
        {
            Console.Error.WriteLine($"The argument '{file}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
            exited = true;
            return 64;
        }
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        var cmd = new Command(full, isScript: false, useLocalScope: false);
        foreach (CommandParameter p in args) cmd.Parameters.Add(p);
        ps.Commands.AddCommand(cmd);
        // As ConsoleHost does for -File: an `exit` in the script ends the process with that
        // code instead of being absorbed at the script boundary (then exit 0 and a normal
        // end are distinguishable from a native command that set $LASTEXITCODE).
        RethrowExitFromNextScript();
        var r = Execute(ps);
        if (r.Exited) { exited = true; return r.ExitCode; }
        if (r.Terminated) return ExitFailure;
        return ExitSuccess; // pwsh -File: a normal end is 0, whatever $? says.
    }

    private int RunCommand(string text, out bool exited)
    {
        exited = false;
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddScript(WithStatusTrailer(text));
        var r = Execute(ps);
        if (r.Exited) { exited = true; return r.ExitCode; }
        if (r.Terminated) return ExitFailure;
        // pwsh -Command: 0 when the last statement succeeded ($?), else 1.
        return LastStatementSucceeded() ? ExitSuccess : ExitFailure;
    }

    private int RunStdin()
    {
        var pending = new StringBuilder();
        bool lastOk = true;
        string? line;
        while ((line = Console.In.ReadLine()) != null)
        {
            if (pending.Length > 0)
            {
                // In block mode pwsh waits for an empty line before it runs the block.
                if (line.Trim().Length > 0) { pending.Append(line).Append('\n'); continue; }
            }
            else
            {
                if (line.Trim().Length == 0) continue;
                pending.Append(line).Append('\n');
                Parser.ParseInput(pending.ToString(), out _, out ParseError[] errors);
                if (errors.Any(e => e.IncompleteInput)) continue;
            }
            string text = pending.ToString();
            pending.Clear();
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = rs;
            ps.AddScript(WithStatusTrailer(text));
            var r = Execute(ps);
            if (r.Exited) return r.ExitCode;
            lastOk = !r.Terminated && LastStatementSucceeded();
        }
        if (pending.Length > 0)
        {
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = rs;
            ps.AddScript(WithStatusTrailer(pending.ToString()));
            var r = Execute(ps);
            if (r.Exited) return r.ExitCode;
            lastOk = !r.Terminated && LastStatementSucceeded();
        }
        return lastOk ? ExitSuccess : ExitFailure;
    }

    private readonly record struct Result(bool Exited, int ExitCode, bool Terminated);

    /// <summary>
    /// Runs a pipeline the way ConsoleHost does: errors merged into output, everything
    /// through Out-Default (so objects, error records and their ConciseView rendering are
    /// SMA's own formatting), an uncaught terminating error reported through Out-Default too.
    /// </summary>
    private Result Execute(PowerShell ps)
    {
        ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
        ps.AddCommand("Out-Default");
        try
        {
            ps.Invoke();
        }
        catch (Exception e) when (Unwrap(e) is ExitException exit)
        {
            return new Result(true, ExitCodeOf(exit.Argument), false);
        }
        catch (RuntimeException e)
        {
            if (host.ExitCode is int hc) return new Result(true, hc, false);
            Report(e.ErrorRecord, e);
            return new Result(false, 0, true);
        }
        catch (Exception e)
        {
            Report(new ErrorRecord(e, e.GetType().Name, ErrorCategory.NotSpecified, null), e);
            return new Result(false, 0, true);
        }
        if (host.ExitCode is int code) return new Result(true, code, false);
        return new Result(false, 0, false);
    }

    private static Exception Unwrap(Exception e) =>
        e is CmdletInvocationException { InnerException: { } inner } ? Unwrap(inner) : e;

    private static int ExitCodeOf(object? argument)
    {
        if (argument == null) return 0;
        try { return LanguagePrimitives.ConvertTo<int>(argument); }
        catch (PSInvalidCastException) { return 0; }
    }

    /// <summary>
    /// Reports an uncaught terminating error on stderr, rendered by SMA's own ErrorRecord
    /// view (ConciseView) as pwsh's ReportException does.
    /// </summary>
    private void Report(ErrorRecord record, Exception thrown)
    {
        var text = new StringBuilder();
        try
        {
            using (host.EngineUI.Capture(text, 120))
            {
                using PowerShell ps = PowerShell.Create();
                ps.Runspace = rs;
                ps.AddCommand("Out-Default");
                ps.Invoke(new object[] { new PSObject(record) });
            }
        }
        catch (Exception)
        {
            text.Clear();
        }
        string rendered = text.ToString().Trim('\r', '\n');
        if (rendered.Trim().Length == 0)
        {
            // The view renders nothing for a parse error without invocation info (a
            // -Command text): fall back to the category and message, which is what matters.
            var first = (thrown as ParseException)?.Errors?.FirstOrDefault();
            rendered = first != null
                ? $"ParserError: line {first.Extent.StartLineNumber}: {first.Message}"
                : $"{record.CategoryInfo.Reason}: {record.Exception.Message}";
        }
        Console.Error.WriteLine(rendered);
    }

    private const string StatusVariable = "__rdsplanEngineLastStatus";

    /// <summary>
    /// $? is reset by any later pipeline (Out-Default included), so the script records it
    /// itself after its last statement. A text that does not parse is left unchanged so
    /// its parse error is reported against the user's own text.
    /// </summary>
    private string WithStatusTrailer(string text)
    {
        rs.SessionStateProxy.SetVariable(StatusVariable, null);
        Parser.ParseInput(text, out _, out ParseError[] errors);
        if (errors.Length > 0) return text;
        return text + "\n${global:" + StatusVariable + "} = $?\n";
    }

    private bool LastStatementSucceeded() =>
        rs.SessionStateProxy.GetVariable(StatusVariable) is not bool ok || ok;

    private static PropertyInfo? s_contextProperty;
    private static PropertyInfo? s_rethrowProperty;

    /// <summary>
    /// ExecutionContext.ScriptCommandProcessorShouldRethrowExit is internal; pwsh's
    /// ConsoleHost sets it before running -File. Reflection keeps the same semantics here.
    /// </summary>
    private void RethrowExitFromNextScript()
    {
        const BindingFlags flags = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        s_contextProperty ??= rs.GetType().GetProperty("ExecutionContext", flags)
            ?? rs.GetType().BaseType?.GetProperty("ExecutionContext", flags);
        object? ctx = s_contextProperty?.GetValue(rs);
        if (ctx == null) return;
        s_rethrowProperty ??= ctx.GetType().GetProperty("ScriptCommandProcessorShouldRethrowExit", flags);
        s_rethrowProperty?.SetValue(ctx, true);
    }
}
