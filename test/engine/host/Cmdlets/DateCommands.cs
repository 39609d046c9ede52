using System;
using System.Globalization;
using System.Management.Automation;

namespace Microsoft.PowerShell.Commands;

/// <summary>Same name and members as the original, so SMA's DateTime view reads it.</summary>
public enum DisplayHintType
{
    Date,
    Time,
    DateTime,
}

/// <summary>
/// Get-Date as in pwsh 7 (without -UFormat): a DateTime carrying a DisplayHint note
/// property, or a string with -Format (including the FileDate* shortcuts).
/// </summary>
[Cmdlet(VerbsCommon.Get, "Date", DefaultParameterSetName = "DateAndFormat")]
[OutputType(typeof(DateTime), typeof(string))]
public sealed class GetDateCommand : PSCmdlet
{
    private DateTime _date;
    private bool _dateSpecified;

    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("LastWriteTime")]
    public DateTime Date
    {
        get => _date;
        set { _date = value; _dateSpecified = true; }
    }

    [Parameter, ValidateRange(1, 9999)] public int Year { get; set; }
    [Parameter, ValidateRange(1, 12)] public int Month { get; set; }
    [Parameter, ValidateRange(1, 31)] public int Day { get; set; }
    [Parameter, ValidateRange(0, 23)] public int Hour { get; set; }
    [Parameter, ValidateRange(0, 59)] public int Minute { get; set; }
    [Parameter, ValidateRange(0, 59)] public int Second { get; set; }
    [Parameter, ValidateRange(0, 999)] public int Millisecond { get; set; }
    [Parameter] public DisplayHintType DisplayHint { get; set; } = DisplayHintType.DateTime;
    [Parameter] public string? Format { get; set; }
    [Parameter] public SwitchParameter AsUTC { get; set; }

    private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

    protected override void ProcessRecord()
    {
        DateTime d = _dateSpecified ? Date : DateTime.Now;
        // Offsets, not constructors, as the original: out-of-range days roll like AddDays.
        if (Bound(nameof(Year))) d = d.AddYears(Year - d.Year);
        if (Bound(nameof(Month))) d = d.AddMonths(Month - d.Month);
        if (Bound(nameof(Day))) d = d.AddDays(Day - d.Day);
        if (Bound(nameof(Hour))) d = d.AddHours(Hour - d.Hour);
        if (Bound(nameof(Minute))) d = d.AddMinutes(Minute - d.Minute);
        if (Bound(nameof(Second))) d = d.AddSeconds(Second - d.Second);
        if (Bound(nameof(Millisecond)))
        {
            d = d.AddMilliseconds(Millisecond - d.Millisecond);
            d = d.Subtract(TimeSpan.FromTicks(d.Ticks % 10000));
        }
        if (AsUTC.IsPresent) d = d.ToUniversalTime();

        if (Format != null)
        {
            string text = Format switch
            {
                "FileDate" => d.ToString("yyyyMMdd", CultureInfo.CurrentCulture),
                "FileDateUniversal" => d.ToUniversalTime().ToString("yyyyMMddZ", CultureInfo.CurrentCulture),
                "FileDateTime" => d.ToString("yyyyMMddTHHmmssffff", CultureInfo.CurrentCulture),
                "FileDateTimeUniversal" => d.ToUniversalTime().ToString("yyyyMMddTHHmmssffffZ", CultureInfo.CurrentCulture),
                _ => d.ToString(Format, CultureInfo.CurrentCulture),
            };
            WriteObject(text);
            return;
        }
        var output = new PSObject(d);
        output.Properties.Add(new PSNoteProperty("DisplayHint", DisplayHint));
        WriteObject(output);
    }
}
