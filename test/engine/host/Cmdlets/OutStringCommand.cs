using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Internal;
using System.Text;
using RdsPlan.Engine;

namespace Microsoft.PowerShell.Commands;

/// <summary>
/// Out-String: SMA's own Out-Default renders the objects into a captured host buffer, so
/// the text is exactly what the console would show (tables, lists, error views).
/// </summary>
[Cmdlet(VerbsData.Out, "String", DefaultParameterSetName = "NoNewLineFormatting")]
[OutputType(typeof(string))]
public sealed class OutStringCommand : PSCmdlet
{
    [Parameter(ValueFromPipeline = true)]
    public PSObject? InputObject { get; set; }

    [Parameter, ValidateRange(2, int.MaxValue)] public int Width { get; set; } = 120;
    [Parameter(ParameterSetName = "StreamFormatting")] public SwitchParameter Stream { get; set; }
    [Parameter(ParameterSetName = "NoNewLineFormatting")] public SwitchParameter NoNewline { get; set; }

    private readonly List<PSObject?> _input = new();

    protected override void ProcessRecord()
    {
        if (InputObject != null && InputObject != AutomationNull.Value) _input.Add(InputObject);
    }

    protected override void EndProcessing()
    {
        if (_input.Count == 0) return;
        EngineHostUI ui = EngineHostUI.Current ?? throw new PSInvalidOperationException("Out-String needs the rdsplan-engine host.");
        var text = new StringBuilder();
        using (ui.Capture(text, Width))
        {
            InvokeCommand.InvokeScript(false, ScriptBlock.Create("$input | Out-Default"), _input);
        }
        string rendered = text.ToString().Replace("\r\n", "\n");
        if (Stream.IsPresent)
        {
            string[] lines = rendered.Split('\n');
            int count = lines.Length;
            if (count > 0 && lines[count - 1].Length == 0) count--; // the final newline ends a line, it is not one
            for (int i = 0; i < count; i++) WriteObject(lines[i]);
            return;
        }
        if (NoNewline.IsPresent) { WriteObject(rendered.Replace("\n", string.Empty)); return; }
        WriteObject(rendered.Replace("\n", Environment.NewLine));
    }
}
