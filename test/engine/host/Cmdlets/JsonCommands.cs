using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Numerics;
using System.Reflection;
using Newtonsoft.Json;
using Newtonsoft.Json.Converters;
using Newtonsoft.Json.Linq;

namespace Microsoft.PowerShell.Commands;

/// <summary>
/// ConvertFrom-Json as in pwsh 7 (Newtonsoft.Json underneath, like the original):
/// objects become PSCustomObject (or an OrderedHashtable with -AsHashtable), arrays
/// object[] that are enumerated unless -NoEnumerate, integers Int64 (BigInteger past
/// that), ISO date strings DateTime.
/// </summary>
[Cmdlet(VerbsData.ConvertFrom, "Json")]
[OutputType(typeof(PSObject))]
public sealed class ConvertFromJsonCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [AllowEmptyString]
    public string InputObject { get; set; } = string.Empty;

    [Parameter] public SwitchParameter AsHashtable { get; set; }
    [Parameter, ValidateRange(1, int.MaxValue)] public int Depth { get; set; } = 1024;
    [Parameter] public SwitchParameter NoEnumerate { get; set; }

    private readonly List<string> _buffer = new();

    protected override void ProcessRecord() => _buffer.Add(InputObject);

    protected override void EndProcessing()
    {
        if (_buffer.Count == 0) return;
        if (_buffer.Count == 1) { Convert(_buffer[0]); return; }
        // Like the original: lines that are each a JSON document convert one by one,
        // otherwise the lines are one document.
        bool each = false;
        try { each = TryParse(_buffer[0], out _); } catch (ArgumentException) { }
        if (each) foreach (string s in _buffer) Convert(s);
        else Convert(string.Join(Environment.NewLine, _buffer));
    }

    private bool TryParse(string input, out object? result)
    {
        result = JsonToPowerShell.ConvertFromJson(input, AsHashtable.IsPresent, Depth);
        return result != null;
    }

    private void Convert(string input)
    {
        object? result;
        try
        {
            result = JsonToPowerShell.ConvertFromJson(input, AsHashtable.IsPresent, Depth);
        }
        catch (ArgumentException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand", ErrorCategory.ParserError, null));
            return;
        }
        catch (InvalidOperationException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, "System.InvalidOperationException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand", ErrorCategory.InvalidOperation, null));
            return;
        }
        WriteObject(result, !NoEnumerate.IsPresent);
    }
}

internal static class JsonToPowerShell
{
    public static object? ConvertFromJson(string input, bool asHashtable, int maxDepth)
    {
        object? token;
        try
        {
            token = JsonConvert.DeserializeObject(input, new JsonSerializerSettings
            {
                TypeNameHandling = TypeNameHandling.None,
                MetadataPropertyHandling = MetadataPropertyHandling.Ignore,
                MaxDepth = maxDepth,
            });
        }
        catch (JsonException je)
        {
            throw new ArgumentException($"Conversion from JSON failed with error: {je.Message}", je);
        }
        return Convert(token, asHashtable);
    }

    private static object? Convert(object? token, bool asHashtable) => token switch
    {
        JObject o => asHashtable ? ToHashtable(o) : ToPSObject(o),
        JArray a => ToArray(a, asHashtable),
        JValue v => v.Value,
        _ => token,
    };

    private static object?[] ToArray(JArray a, bool asHashtable)
    {
        var list = new object?[a.Count];
        for (int i = 0; i < a.Count; i++) list[i] = Convert(a[i], asHashtable);
        return list;
    }

    private static PSObject ToPSObject(JObject o)
    {
        var result = new PSObject();
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (JProperty p in o.Properties())
        {
            if (p.Name.Length == 0)
                throw new InvalidOperationException("The provided JSON includes a property whose name is an empty string, this is only supported using the -AsHashTable switch.");
            if (seen.TryGetValue(p.Name, out string? existing))
                throw new InvalidOperationException($"Cannot convert the JSON string because it contains keys with different casing. Please use the -AsHashTable switch instead. The key that was attempted to be added to the existing key '{existing}' was '{p.Name}'.");
            seen.Add(p.Name, p.Name);
            result.Properties.Add(new PSNoteProperty(p.Name, Convert(p.Value, false)));
        }
        return result;
    }

    private static OrderedHashtable ToHashtable(JObject o)
    {
        var result = new OrderedHashtable();
        foreach (JProperty p in o.Properties()) result[p.Name] = Convert(p.Value, true);
        return result;
    }
}

/// <summary>
/// ConvertTo-Json as in pwsh 7: the object graph is reduced to dictionaries, lists and
/// scalars down to -Depth (deeper values become their string form, with one warning),
/// then written by Newtonsoft.Json with 2-space indentation or -Compress.
/// </summary>
[Cmdlet(VerbsData.ConvertTo, "Json")]
[OutputType(typeof(string))]
public sealed class ConvertToJsonCommand : PSCmdlet
{
    [Parameter(Position = 0, Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    public object? InputObject { get; set; }

    [Parameter, ValidateRange(0, 100)] public int Depth { get; set; } = 2;
    [Parameter] public SwitchParameter Compress { get; set; }
    [Parameter] public SwitchParameter EnumsAsStrings { get; set; }
    [Parameter] public SwitchParameter AsArray { get; set; }
    [Parameter] public StringEscapeHandling EscapeHandling { get; set; } = StringEscapeHandling.Default;

    private readonly List<object?> _inputs = new();
    private bool _warned;

    protected override void ProcessRecord() => _inputs.Add(InputObject);

    protected override void EndProcessing()
    {
        if (_inputs.Count == 0) return;
        object? root = _inputs.Count > 1 || AsArray.IsPresent ? _inputs.ToArray() : _inputs[0];
        object? reduced = ProcessValue(root, 0);
        var settings = new JsonSerializerSettings
        {
            Formatting = Compress.IsPresent ? Formatting.None : Formatting.Indented,
            StringEscapeHandling = EscapeHandling,
            MaxDepth = 1024,
        };
        if (EnumsAsStrings.IsPresent) settings.Converters.Add(new StringEnumConverter());
        WriteObject(JsonConvert.SerializeObject(reduced, settings));
    }

    private object? ProcessValue(object? obj, int depth)
    {
        PSObject? pso = obj as PSObject;
        if (pso != null) obj = pso.BaseObject;
        object? rv;
        bool isPurePSObject = false;
        bool isCustomObject = false;

        if (obj == null || obj == DBNull.Value || obj == System.Management.Automation.Language.NullString.Value)
        {
            rv = null;
        }
        else if (obj is string || obj is char || obj is bool || obj is DateTime || obj is DateTimeOffset
                 || obj is Guid || obj is Uri || obj is double || obj is float || obj is decimal || obj is BigInteger)
        {
            rv = obj;
        }
        else
        {
            Type t = obj.GetType();
            if (t.IsPrimitive)
            {
                rv = obj;
            }
            else if (t.IsEnum)
            {
                // The original writes 64-bit enums as names: JavaScript numbers cannot hold them.
                Type u = Enum.GetUnderlyingType(t);
                rv = u == typeof(long) || u == typeof(ulong) ? obj.ToString() : obj;
            }
            else if (depth > Depth)
            {
                if (!_warned)
                {
                    _warned = true;
                    WriteWarning($"Resulting JSON is truncated as serialization has exceeded the set depth of {Depth}.");
                }
                if (pso != null && pso.BaseObject is PSCustomObject)
                {
                    rv = LanguagePrimitives.ConvertTo(pso, typeof(string), CultureInfo.InvariantCulture);
                    isPurePSObject = true;
                }
                else rv = LanguagePrimitives.ConvertTo(obj, typeof(string), CultureInfo.InvariantCulture);
            }
            else if (obj is IDictionary dict)
            {
                rv = ProcessDictionary(dict, depth);
            }
            else if (obj is IEnumerable enumerable)
            {
                var list = new List<object?>();
                foreach (object? item in enumerable) list.Add(ProcessValue(item, depth + 1));
                rv = list;
            }
            else
            {
                rv = ProcessCustomObject(obj, depth);
                isCustomObject = true;
            }
        }
        return AddPsProperties(pso, rv, depth, isPurePSObject, isCustomObject);
    }

    private Dictionary<string, object?> ProcessDictionary(IDictionary dict, int depth)
    {
        var result = new Dictionary<string, object?>(dict.Count);
        foreach (DictionaryEntry e in dict)
        {
            if (e.Key is not string name)
                throw new InvalidOperationException($"The type '{dict.GetType().FullName}' is not supported for serialization or deserialization of a dictionary. Keys must be strings.");
            result.Add(name, ProcessValue(e.Value, depth + 1));
        }
        return result;
    }

    private Dictionary<string, object?> ProcessCustomObject(object obj, int depth)
    {
        var result = new Dictionary<string, object?>();
        if (obj is PSCustomObject) return result;
        Type t = obj.GetType();
        foreach (FieldInfo f in t.GetFields(BindingFlags.Public | BindingFlags.Instance))
            result[f.Name] = ProcessValue(f.GetValue(obj), depth + 1);
        foreach (PropertyInfo p in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.GetGetMethod() == null) continue;
            object? value;
            try { value = p.GetValue(obj); } catch (Exception) { value = null; }
            result[p.Name] = ProcessValue(value, depth + 1);
        }
        return result;
    }

    /// <summary>
    /// The original then appends the PSObject's extended members (note, script, alias and
    /// code properties, PSCustomObject's properties among them); pwsh 7.2+ skips them on
    /// strings and dates (so Get-Date's DisplayHint stays out). A scalar with such members
    /// becomes { "value": ..., members... }.
    /// </summary>
    private object? AddPsProperties(PSObject? pso, object? rv, int depth, bool isPurePSObject, bool isCustomObject)
    {
        if (pso == null || isPurePSObject) return rv;
        if (pso.BaseObject is string || pso.BaseObject is DateTime) return rv;
        bool wasDictionary = rv is Dictionary<string, object?>;
        var dict = rv as Dictionary<string, object?> ?? new Dictionary<string, object?> { ["value"] = rv };
        const PSMemberTypes extended = PSMemberTypes.NoteProperty | PSMemberTypes.ScriptProperty | PSMemberTypes.AliasProperty | PSMemberTypes.CodeProperty;
        foreach (PSPropertyInfo p in pso.Properties)
        {
            if ((p.MemberType & extended) == 0 || !p.IsGettable || dict.ContainsKey(p.Name)) continue;
            object? value;
            try { value = p.Value; } catch (Exception) { value = null; }
            dict[p.Name] = ProcessValue(value, depth + 1);
        }
        if (!wasDictionary && dict.Count == 1) return rv;
        return dict;
    }
}
