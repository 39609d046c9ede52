function Select-RdsPlanValidateReport {
    # validate's reports in input order, one per plan file: the CLI expands folders and wildcards and lists a file given twice once, the module answers every input.
    param([string[]]$Batch, [object[]]$Report)
    $seen = [System.Collections.Generic.Dictionary[string, object]]::new([System.StringComparer]::OrdinalIgnoreCase)
    $later = [System.Collections.Generic.Dictionary[string, int]]::new([System.StringComparer]::Ordinal)
    foreach ($item in $Batch) {
        $later[$item] = 1 + $(if ($later.ContainsKey($item)) { $later[$item] } else { 0 })
    }
    $next = 0
    foreach ($item in $Batch) {
        $later[$item] = $later[$item] - 1
        $file = $null
        if ($next -lt $Report.Count) {
            $file = [string](Get-RdsPlanProperty $Report[$next] 'file')
        }
        if ($null -ne $file -and $file -ceq $item) {
            $seen[$item] = $Report[$next]
            $Report[$next]
            $next++
            continue
        }
        if ($seen.ContainsKey($item)) {
            $seen[$item]
            continue
        }
        # A folder or wildcard: the files it stands for, up to the report of a later input.
        while ($next -lt $Report.Count) {
            $file = [string](Get-RdsPlanProperty $Report[$next] 'file')
            if ($later.ContainsKey($file) -and $later[$file] -gt 0) {
                break
            }
            $seen[$file] = $Report[$next]
            $Report[$next]
            $next++
        }
    }
    for (; $next -lt $Report.Count; $next++) {
        $Report[$next]
    }
}
