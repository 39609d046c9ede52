function ConvertTo-RdsPlanArgumentJson {
    # The argument list as the JSON array `rdsplan --args-stdin` reads, in ASCII only: no code page of any PowerShell's pipe to node can change it.
    param([string[]]$ArgumentList)
    $json = [System.Text.StringBuilder]::new()
    $null = $json.Append('[')
    for ($i = 0; $i -lt $ArgumentList.Count; $i++) {
        if ($i -gt 0) {
            $null = $json.Append(',')
        }
        $null = $json.Append('"')
        foreach ($c in $ArgumentList[$i].ToCharArray()) {
            $code = [int]$c
            if ($c -eq [char]'"' -or $c -eq [char]'\') {
                $null = $json.Append('\').Append($c)
            }
            elseif ($code -lt 0x20 -or $code -gt 0x7e) {
                # A character outside the BMP is two UTF-16 units here, and two escapes JSON reads back as one.
                $null = $json.Append('\u').Append($code.ToString('x4', [System.Globalization.CultureInfo]::InvariantCulture))
            }
            else {
                $null = $json.Append($c)
            }
        }
        $null = $json.Append('"')
    }
    $null = $json.Append(']')
    return $json.ToString()
}
