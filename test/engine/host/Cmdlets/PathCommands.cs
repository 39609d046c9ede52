using System;
using System.Collections.ObjectModel;
using System.Management.Automation;

namespace Microsoft.PowerShell.Commands;

/// <summary>Same name and members as the original Test-Path's enum.</summary>
public enum TestPathType
{
    Any,
    Container,
    Leaf,
}

/// <summary>
/// Join-Path through the session's path intrinsics, i.e. the FileSystem provider's own
/// MakePath, as the original: on Linux that means '/' separators and errors for unknown
/// drives such as C:.
/// </summary>
[Cmdlet(VerbsCommon.Join, "Path")]
[OutputType(typeof(string))]
public sealed class JoinPathCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString]
    public string? ChildPath { get; set; }

    [Parameter(Position = 2, ValueFromRemainingArguments = true, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyString, AllowEmptyCollection]
    public string[]? AdditionalChildPath { get; set; }

    [Parameter] public SwitchParameter Resolve { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string path in Path)
        {
            string joined;
            try
            {
                joined = SessionState.Path.Combine(path, ChildPath ?? string.Empty);
                if (AdditionalChildPath != null)
                    foreach (string child in AdditionalChildPath) joined = SessionState.Path.Combine(joined, child ?? string.Empty);
            }
            catch (SessionStateException e)
            {
                WriteError(new ErrorRecord(e.ErrorRecord, e));
                continue;
            }
            catch (PSNotSupportedException e)
            {
                WriteError(new ErrorRecord(e.ErrorRecord, e));
                continue;
            }
            if (!Resolve.IsPresent) { WriteObject(joined); continue; }
            try
            {
                foreach (PathInfo p in SessionState.Path.GetResolvedPSPathFromPSPath(joined)) WriteObject(p.Path);
            }
            catch (SessionStateException e)
            {
                WriteError(new ErrorRecord(e.ErrorRecord, e));
            }
        }
    }
}

/// <summary>Split-Path through the provider's ParseParent/ParseChildName, as the original.</summary>
[Cmdlet(VerbsCommon.Split, "Path", DefaultParameterSetName = "ParentSet")]
[OutputType(typeof(string), typeof(bool))]
public sealed class SplitPathCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public string[] Path { get; set; } = Array.Empty<string>();

    [Parameter(ParameterSetName = "ParentSet")] public SwitchParameter Parent { get; set; }
    [Parameter(ParameterSetName = "LeafSet", Mandatory = true)] public SwitchParameter Leaf { get; set; }
    [Parameter(ParameterSetName = "LeafBaseSet", Mandatory = true)] public SwitchParameter LeafBase { get; set; }
    [Parameter(ParameterSetName = "ExtensionSet", Mandatory = true)] public SwitchParameter Extension { get; set; }
    [Parameter(ParameterSetName = "QualifierSet", Mandatory = true)] public SwitchParameter Qualifier { get; set; }
    [Parameter(ParameterSetName = "NoQualifierSet", Mandatory = true)] public SwitchParameter NoQualifier { get; set; }
    [Parameter(ParameterSetName = "IsAbsoluteSet", Mandatory = true)] public SwitchParameter IsAbsolute { get; set; }

    protected override void ProcessRecord()
    {
        foreach (string path in Path)
        {
            try
            {
                switch (ParameterSetName)
                {
                    case "IsAbsoluteSet":
                        WriteObject(SessionState.Path.IsPSAbsolute(path, out _));
                        break;
                    case "LeafSet":
                        WriteObject(SessionState.Path.ParseChildName(path));
                        break;
                    case "LeafBaseSet":
                        WriteObject(System.IO.Path.GetFileNameWithoutExtension(SessionState.Path.ParseChildName(path)));
                        break;
                    case "ExtensionSet":
                        WriteObject(System.IO.Path.GetExtension(SessionState.Path.ParseChildName(path)));
                        break;
                    case "QualifierSet":
                    {
                        int colon = path.IndexOf(':');
                        if (colon < 0) throw new PSArgumentException($"Cannot parse path because path '{path}' does not have a qualifier specified.");
                        WriteObject(path.Substring(0, colon + 1));
                        break;
                    }
                    case "NoQualifierSet":
                    {
                        int colon = path.IndexOf(':');
                        WriteObject(colon < 0 ? path : path.Substring(colon + 1));
                        break;
                    }
                    default:
                        WriteObject(SessionState.Path.ParseParent(path, string.Empty));
                        break;
                }
            }
            catch (RuntimeException e)
            {
                WriteError(new ErrorRecord(e.ErrorRecord, e));
            }
        }
    }
}

/// <summary>
/// Test-Path through the providers (InvokeProvider.Item), as the original: wildcards
/// expand with -Path, not with -LiteralPath; unknown drives and empty strings are $false.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "Path", DefaultParameterSetName = "Path")]
[OutputType(typeof(bool))]
public sealed class TestPathCommand : PSCmdlet
{
    [Parameter(Position = 0, ParameterSetName = "Path", Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [AllowNull, AllowEmptyCollection, AllowEmptyString]
    public string?[]? Path { get; set; }

    [Parameter(ParameterSetName = "LiteralPath", Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [AllowNull, AllowEmptyCollection, AllowEmptyString]
    public string?[]? LiteralPath { get; set; }

    [Parameter, Alias("Type")] public TestPathType PathType { get; set; } = TestPathType.Any;
    [Parameter] public SwitchParameter IsValid { get; set; }

    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == "LiteralPath";
        string?[]? paths = literal ? LiteralPath : Path;
        string parameter = literal ? "LiteralPath" : "Path";
        if (paths == null || paths.Length == 0)
        {
            WriteError(new ErrorRecord(new ArgumentNullException(parameter, $"Cannot bind argument to parameter '{parameter}' because it is null."),
                "NullPathNotPermitted", ErrorCategory.InvalidArgument, paths));
            return;
        }
        foreach (string? path in paths)
        {
            if (path == null)
            {
                WriteError(new ErrorRecord(new ArgumentNullException(parameter, $"Cannot bind argument to parameter '{parameter}' because it is null."),
                    "NullPathNotPermitted", ErrorCategory.InvalidArgument, path));
                continue;
            }
            if (string.IsNullOrWhiteSpace(path)) { WriteObject(false); continue; }
            bool result = false;
            try
            {
                if (IsValid.IsPresent)
                {
                    result = SessionState.Path.IsValid(path);
                }
                else
                {
                    var item = InvokeProvider.Item;
                    result = PathType switch
                    {
                        TestPathType.Container => item.IsContainer(literal ? WildcardPattern.Escape(path) : path),
                        TestPathType.Leaf => item.Exists(path, false, literal) && !item.IsContainer(literal ? WildcardPattern.Escape(path) : path),
                        _ => item.Exists(path, false, literal),
                    };
                }
            }
            catch (SessionStateException) { result = false; }
            catch (PSNotSupportedException) { result = false; }
            catch (PSArgumentException) { result = false; }
            WriteObject(result);
        }
    }
}
