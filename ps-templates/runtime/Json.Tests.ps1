# ConvertTo-RdsJson: the protocol's JSON writer, exact output for every kind of value.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../test/support/Get-RdsTemplateFile.ps1')
    Set-StrictMode -Version 3.0
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
}

Describe 'ConvertTo-RdsJson' {
    BeforeAll {
        # A culture with a decimal comma must not change anything.
        $script:savedCulture = [System.Threading.Thread]::CurrentThread.CurrentCulture
        [System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::new('de-DE')
    }
    AfterAll {
        [System.Threading.Thread]::CurrentThread.CurrentCulture = $script:savedCulture
    }

    It '<Name>' -ForEach @(
        @{ Name = 'hashtable keys sorted ordinally'; Value = { $v = [System.Collections.Hashtable]::new([System.StringComparer]::Ordinal); $v['a'] = 1; $v['B'] = 2; $v['_'] = 3; $v['Z'] = 4; , $v }; Expected = '{"B":2,"Z":4,"_":3,"a":1}' }
        @{ Name = 'plain hashtable, nested array'; Value = { @{ b = 1; a = @('x') } }; Expected = '{"a":["x"],"b":1}' }
        @{ Name = 'a key named Keys does not hide the entries'; Value = { @{ Keys = 'k'; Values = 'v'; Count = 3 } }; Expected = '{"Count":3,"Keys":"k","Values":"v"}' }
        @{ Name = '[ordered] keeps insertion order, integer keys too'; Value = { [ordered]@{ z = 1; 0 = 'zero'; a = $null } }; Expected = '{"z":1,"0":"zero","a":null}' }
        @{ Name = 'PSCustomObject keeps property order'; Value = { [pscustomobject]@{ z = 1; a = @() } }; Expected = '{"z":1,"a":[]}' }
        @{ Name = 'single-element array stays an array'; Value = { , @(1) }; Expected = '[1]' }
        @{ Name = 'empty array'; Value = { , @() }; Expected = '[]' }
        @{ Name = 'nested single-element arrays'; Value = { , (, @(1)) }; Expected = '[[1]]' }
        @{ Name = 'generic list'; Value = { $v = [System.Collections.Generic.List[int]]::new(); $v.Add(1); $v.Add(2); , $v }; Expected = '[1,2]' }
        @{ Name = 'string[] with one element'; Value = { , [string[]]@('only') }; Expected = '["only"]' }
        @{ Name = 'null'; Value = { $null }; Expected = 'null' }
        @{ Name = 'booleans and a switch'; Value = { , @($true, $false, [switch]::Present) }; Expected = '[true,false,true]' }
        @{ Name = 'integers of every width'; Value = { , @([byte]255, [sbyte]-1, [int16]-300, [uint16]65535, [int]-5, [uint32]4294967295, [long]9007199254740993, [uint64]::MaxValue) }; Expected = '[255,-1,-300,65535,-5,4294967295,9007199254740993,18446744073709551615]' }
        @{ Name = 'doubles round-trip in the invariant culture'; Value = { , @(0.1, 1.5, 1e20, [double]3, -2.5e-7, [single]0.5) }; Expected = '[0.1,1.5,1E+20,3,-2.5E-07,0.5]' }
        @{ Name = 'NaN and infinity become null'; Value = { , @([double]::NaN, [double]::PositiveInfinity) }; Expected = '[null,null]' }
        @{ Name = 'decimal keeps its digits'; Value = { 1.10d }; Expected = '1.10' }
        @{ Name = 'UTC DateTime'; Value = { [datetime]::new(2020, 1, 2, 3, 4, 5, 6, [System.DateTimeKind]::Utc) }; Expected = '"2020-01-02T03:04:05.0060000Z"' }
        @{ Name = 'DateTimeOffset converted to UTC'; Value = { [System.DateTimeOffset]::new(2020, 1, 2, 3, 4, 5, [TimeSpan]::FromHours(2)) }; Expected = '"2020-01-02T01:04:05.0000000Z"' }
        @{ Name = 'quote, backslash, control characters'; Value = { "a`"b\c`n`t" + [char]0 + [char]0x1f }; Expected = '"a\"b\\c\u000a\u0009\u0000\u001f"' }
        @{ Name = 'DEL, non-ASCII, typographic quote, surrogate pair escaped'; Value = { [string][char]0x7f + [char]0xe9 + [char]0x2018 + [char]::ConvertFromUtf32(0x1F600) }; Expected = '"\u007f\u00e9\u2018\ud83d\ude00"' }
        @{ Name = 'printable ASCII untouched'; Value = { ' !#$%&()*+,-./09:;<=>?@AZ[]^_`az{|}~' }; Expected = '" !#$%&()*+,-./09:;<=>?@AZ[]^_`az{|}~"' }
        @{ Name = 'string ending in a newline is escaped (no $ anchor trap)'; Value = { "abc`n" }; Expected = '"abc\u000a"' }
        @{ Name = 'enum as its name'; Value = { [System.DayOfWeek]::Monday }; Expected = '"Monday"' }
        @{ Name = 'deep nesting of mixed containers'; Value = { @{ a = [ordered]@{ b = @(@{ c = [pscustomobject]@{ d = @($null) } }) } } }; Expected = '{"a":{"b":[{"c":{"d":[null]}}]}}' }
    ) {
        $value = & $Value
        ConvertTo-RdsJson -InputObject $value | Should -BeExactly $Expected
    }

    It 'passing an array through -InputObject keeps a single element as an array' {
        $a = @('one')
        ConvertTo-RdsJson -InputObject $a | Should -BeExactly '["one"]'
        ConvertTo-RdsJson -InputObject @{ list = $a } | Should -BeExactly '{"list":["one"]}'
    }
}
