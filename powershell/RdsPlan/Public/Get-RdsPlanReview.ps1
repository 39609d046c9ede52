function Get-RdsPlanReview {
    <#
    .SYNOPSIS
        Returns the review of a plan: the dry run a change board approves, with the approval token.
    .DESCRIPTION
        Runs `rdsplan review`. Text, markdown and html come back as one string; json comes
        back as an RdsPlan.Review object (schemas/review.schema.json) whose ApprovalToken
        property is the token Invoke-RdsPlan needs. With -OutFile the review is written to that file (html
        and json as the CLI writes them) and the file is returned.
        An invalid plan is a non-terminating error carrying the CLI's diagnostics.
    .PARAMETER Path
        The plan file. Accepts pipeline input by value and by the Path or FullName property.
    .PARAMETER Format
        text (default), markdown, json or html.
    .PARAMETER OutFile
        Write the review to this file instead of returning it; returns a FileInfo.
    .EXAMPLE
        $review = Get-RdsPlanReview -Path .\plans\reset-rdsh01.json -Format json
        $review.ApprovalToken

        Gets the approval token of a plan.
    .EXAMPLE
        Get-RdsPlanReview -Path .\plans\reset-rdsh01.json -Format markdown -OutFile .\CHG0012345.md

        Writes the review for the change ticket.
    .INPUTS
        System.String, or any object with a Path or FullName property.
    .OUTPUTS
        System.String, RdsPlan.Review (json), System.IO.FileInfo (-OutFile)
    #>
    [CmdletBinding()]
    [OutputType('System.String', 'RdsPlan.Review', 'System.IO.FileInfo')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')]
        [string[]]$Path,

        [ValidateSet('text', 'markdown', 'json', 'html')]
        [string]$Format = 'text',

        [string]$OutFile
    )
    process {
        foreach ($item in $Path) {
            try {
                $planPath = Resolve-RdsPlanFileSystemPath -LiteralPath $item -What 'plan path'
                $outPath = $null
                if (-not [string]::IsNullOrEmpty($OutFile)) {
                    $outPath = Resolve-RdsPlanFileSystemPath -LiteralPath $OutFile -What 'OutFile'
                }
            }
            catch {
                $PSCmdlet.WriteError($_)
                continue
            }
            $cliArguments = [System.Collections.Generic.List[string]]::new()
            $cliArguments.Add('review')
            $cliArguments.Add('--format')
            $cliArguments.Add($Format)
            if ($null -ne $outPath) {
                $cliArguments.Add('--out')
                $cliArguments.Add($outPath)
            }
            $cliArguments.Add('--')
            $cliArguments.Add($planPath)
            try {
                $result = Invoke-RdsPlanCli -ArgumentList $cliArguments.ToArray()
            }
            catch {
                $PSCmdlet.ThrowTerminatingError($_)
            }
            if ($result.ExitCode -ne 0) {
                $PSCmdlet.WriteError((New-RdsPlanCliErrorRecord -Result $result -Command 'review' -TargetObject $planPath))
                continue
            }
            if ($null -ne $outPath) {
                [System.IO.FileInfo]::new($outPath)
            }
            elseif ($Format -eq 'json') {
                $review = $null
                try {
                    $review = ConvertFrom-RdsPlanCliJson -Result $result -Command 'review' -TargetObject $planPath
                }
                catch {
                    $PSCmdlet.WriteError($_)
                    continue
                }
                # A type of its own: the module's view shows the plan, its hosts and the token to approve.
                $review.PSObject.TypeNames.Insert(0, 'RdsPlan.Review')
                $review
            }
            else {
                $result.StdOut
            }
        }
    }
}
