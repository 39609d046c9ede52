using System;
using System.Collections;
using System.Management.Automation;
using System.Reflection;
using System.Text;

// The namespace of the originals (Microsoft.PowerShell.Commands.Utility), so type names that
// leak into output (FullyQualifiedErrorId, exception type names) read the same as in pwsh.
namespace Microsoft.PowerShell.Commands;

/// <summary>Write-Output, as in pwsh 7: one object, enumerated unless -NoEnumerate.</summary>
[Cmdlet(VerbsCommunications.Write, "Output")]
public sealed class WriteOutputCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromRemainingArguments = true)]
    [AllowNull, AllowEmptyCollection]
    public PSObject? InputObject { get; set; }

    [Parameter] public SwitchParameter NoEnumerate { get; set; }

    protected override void ProcessRecord()
    {
        if (InputObject == null) { WriteObject(null); return; }
        WriteObject(InputObject, !NoEnumerate.IsPresent);
    }
}

/// <summary>
/// Write-Host: like the original, an InformationRecord tagged PSHOST carrying a
/// HostInformationMessage; SMA then prints it through the host (stdout) and honours
/// 6> redirection and -InformationAction.
/// </summary>
[Cmdlet(VerbsCommunications.Write, "Host")]
public sealed class WriteHostCommand : PSCmdlet
{
    [Parameter(Position = 0, ValueFromRemainingArguments = true, ValueFromPipeline = true)]
    [Alias("Msg", "Message")]
    public object? Object { get; set; }

    [Parameter] public SwitchParameter NoNewline { get; set; }
    [Parameter] public object Separator { get; set; } = " ";
    [Parameter] public ConsoleColor ForegroundColor { get; set; }
    [Parameter] public ConsoleColor BackgroundColor { get; set; }

    private string? ProcessObject(object? o)
    {
        if (o == null) return null;
        if (o is string s) return s.Length > 0 ? s : null;
        if (o is IEnumerable enumerable)
        {
            bool separate = false;
            var sb = new StringBuilder();
            foreach (object? element in enumerable)
            {
                if (separate && Separator != null) sb.Append(Separator.ToString());
                sb.Append(ProcessObject(element));
                separate = true;
            }
            return sb.ToString();
        }
        string text = o.ToString() ?? string.Empty;
        return text.Length > 0 ? text : null;
    }

    protected override void ProcessRecord()
    {
        var message = new HostInformationMessage
        {
            Message = ProcessObject(Object) ?? string.Empty,
            NoNewLine = NoNewline.IsPresent,
        };
        if (MyInvocation.BoundParameters.ContainsKey(nameof(ForegroundColor))) message.ForegroundColor = ForegroundColor;
        if (MyInvocation.BoundParameters.ContainsKey(nameof(BackgroundColor))) message.BackgroundColor = BackgroundColor;
        WriteInformation(message, new[] { "PSHOST" });
    }
}

[Cmdlet(VerbsCommunications.Write, "Warning")]
public sealed class WriteWarningCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString, Alias("Msg")]
    public string Message { get; set; } = string.Empty;

    protected override void ProcessRecord() => WriteWarning(Message);
}

[Cmdlet(VerbsCommunications.Write, "Verbose")]
public sealed class WriteVerboseCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString, Alias("Msg")]
    public string Message { get; set; } = string.Empty;

    protected override void ProcessRecord() => WriteVerbose(Message);
}

[Cmdlet(VerbsCommunications.Write, "Debug")]
public sealed class WriteDebugCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString, Alias("Msg")]
    public string Message { get; set; } = string.Empty;

    protected override void ProcessRecord() => WriteDebug(Message);
}

[Cmdlet(VerbsCommunications.Write, "Information")]
public sealed class WriteInformationCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [Alias("Msg", "Message"), AllowNull]
    public object? MessageData { get; set; }

    [Parameter(Position = 1)] public string[]? Tags { get; set; }

    protected override void ProcessRecord() => WriteInformation(MessageData, Tags);
}

/// <summary>The exception Write-Error -Message wraps (its full name becomes the error id).</summary>
public sealed class WriteErrorException : SystemException
{
    public WriteErrorException() : base("An error was written by Write-Error.") { }
    public WriteErrorException(string? message) : base(message) { }
    public WriteErrorException(string? message, Exception inner) : base(message, inner) { }
}

/// <summary>Write-Error with the original's parameter sets and record construction.</summary>
[Cmdlet(VerbsCommunications.Write, "Error", DefaultParameterSetName = "NoException")]
public sealed class WriteErrorCommand : PSCmdlet
{
    [Parameter(ParameterSetName = "WithException", Mandatory = true)]
    public Exception? Exception { get; set; }

    [Parameter(Position = 0, ParameterSetName = "NoException", Mandatory = true, ValueFromPipeline = true)]
    [Parameter(ParameterSetName = "WithException")]
    [AllowNull, AllowEmptyString, Alias("Msg")]
    public string? Message { get; set; }

    [Parameter(ParameterSetName = "ErrorRecord", Mandatory = true)]
    public ErrorRecord? ErrorRecord { get; set; }

    [Parameter(ParameterSetName = "NoException")]
    [Parameter(ParameterSetName = "WithException")]
    public ErrorCategory Category { get; set; } = ErrorCategory.NotSpecified;

    [Parameter(ParameterSetName = "NoException")]
    [Parameter(ParameterSetName = "WithException")]
    public string ErrorId { get; set; } = string.Empty;

    [Parameter(ParameterSetName = "NoException")]
    [Parameter(ParameterSetName = "WithException")]
    public object? TargetObject { get; set; }

    [Parameter] public string RecommendedAction { get; set; } = string.Empty;
    [Parameter, Alias("Activity")] public string CategoryActivity { get; set; } = string.Empty;
    [Parameter, Alias("Reason")] public string CategoryReason { get; set; } = string.Empty;
    [Parameter, Alias("TargetName")] public string CategoryTargetName { get; set; } = string.Empty;
    [Parameter, Alias("TargetType")] public string CategoryTargetType { get; set; } = string.Empty;

    protected override void ProcessRecord()
    {
        ErrorRecord record;
        if (ErrorRecord != null)
        {
            record = new ErrorRecord(ErrorRecord, null);
        }
        else
        {
            Exception e = Exception ?? new WriteErrorException(Message);
            string id = string.IsNullOrEmpty(ErrorId) ? e.GetType().FullName! : ErrorId;
            record = new ErrorRecord(e, id, Category, TargetObject);
            if (Exception != null && !string.IsNullOrEmpty(Message)) record.ErrorDetails = new ErrorDetails(Message);
        }
        if (!string.IsNullOrEmpty(RecommendedAction))
        {
            record.ErrorDetails ??= new ErrorDetails(record.ToString());
            record.ErrorDetails.RecommendedAction = RecommendedAction;
        }
        if (!string.IsNullOrEmpty(CategoryReason)) record.CategoryInfo.Reason = CategoryReason;
        if (!string.IsNullOrEmpty(CategoryTargetName)) record.CategoryInfo.TargetName = CategoryTargetName;
        if (!string.IsNullOrEmpty(CategoryTargetType)) record.CategoryInfo.TargetType = CategoryTargetType;

        // The original attributes the error to the caller ($MyInvocation of the script or
        // function), not to Write-Error; ErrorRecord.SetInvocationInfo is internal.
        if (GetVariableValue("MyInvocation") is InvocationInfo caller)
        {
            SetInvocationInfo(record, caller);
            record.CategoryInfo.Activity = string.IsNullOrEmpty(CategoryActivity) ? "Write-Error" : CategoryActivity;
        }
        else if (!string.IsNullOrEmpty(CategoryActivity))
        {
            record.CategoryInfo.Activity = CategoryActivity;
        }
        WriteError(record);
    }

    private static readonly MethodInfo? s_setInvocationInfo = typeof(ErrorRecord).GetMethod(
        "SetInvocationInfo", BindingFlags.Instance | BindingFlags.NonPublic, null, new[] { typeof(InvocationInfo) }, null);
    private static readonly PropertyInfo? s_preserveOnce = typeof(ErrorRecord).GetProperty(
        "PreserveInvocationInfoOnce", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public);

    private static void SetInvocationInfo(ErrorRecord record, InvocationInfo info)
    {
        s_setInvocationInfo?.Invoke(record, new object[] { info });
        s_preserveOnce?.SetValue(record, true);
    }
}
