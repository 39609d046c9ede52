function Add-RdsPlanRunArgument {
    # The options check and apply share: targets, simulated host, records, timeout, throttle.
    param(
        [System.Collections.Generic.List[string]]$List,
        [string[]]$Target,
        [string]$Simulate,
        [string]$Records,
        [int]$TimeoutSeconds,
        [int]$ThrottleLimit
    )
    foreach ($name in @($Target)) {
        if ($null -ne $name) {
            $List.Add('--target')
            $List.Add($name)
        }
    }
    if (-not [string]::IsNullOrEmpty($Simulate)) {
        $List.Add('--simulate')
        $List.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $Simulate -What 'Simulate'))
    }
    if (-not [string]::IsNullOrEmpty($Records)) {
        $List.Add('--records')
        $List.Add((Resolve-RdsPlanFileSystemPath -LiteralPath $Records -What 'Records'))
    }
    if ($TimeoutSeconds -gt 0) {
        $List.Add('--timeout')
        $List.Add([string]$TimeoutSeconds)
    }
    if ($ThrottleLimit -gt 0) {
        $List.Add('--throttle')
        $List.Add([string]$ThrottleLimit)
    }
}
