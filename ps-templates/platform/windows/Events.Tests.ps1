# platform/windows/Events.ps1 executed under a Mock of Get-WinEvent answering as the cmdlet does
# (its source, GetEventCommand.cs, and DOMAIN.md "Events worth reading after a change"): events
# are EventLogRecords, newest first, with ProviderName, Id [int], TimeCreated [datetime] of Kind
# Local, Level [byte] and the Message note property Get-WinEvent adds ($null when the provider's
# message resource is missing). "Nothing matches" is an error the cmdlet writes (WriteError, so
# it ends the call only under -ErrorAction Stop): NoMatchingEventsFound when no event matches,
# NoMatchingProvidersFound when the host has no provider of that name, each with a localized
# message (German here). An event that cannot be read is written the same way with its
# localized message as its id; opening the query without access ends the cmdlet
# (System.UnauthorizedAccessException). Linux pwsh has no Get-WinEvent: a stand-in with the
# parameters the template passes is defined for Mock, as CimCmdletStandIns.ps1 does for CIM.
# The file runs in a zone east of UTC (TZ, on Linux) and a culture with another calendar, so a
# date left in local time or formatted with the current culture fails here.
BeforeAll {
    . (Join-Path $PSScriptRoot '../../../test/support/pester/RuntimeHarness.ps1')
    . (Join-Path $PSScriptRoot '../../../test/support/pester/WindowsLayerTest.ps1')
    Set-StrictMode -Version 3.0
    $ErrorActionPreference = 'Stop'
    foreach ($file in Get-RdsTemplateFile -Layer 'runtime') { . $file }
    . (Join-Path $PSScriptRoot 'Host.ps1')
    . (Join-Path $PSScriptRoot 'Events.ps1')

    # The stand-in Mock needs on Linux pwsh: Get-WinEvent's HashQuerySet parameters the template uses, typed as the cmdlet types them.
    if ($null -eq (Get-Command -Name 'Get-WinEvent' -ErrorAction SilentlyContinue)) {
        function Get-WinEvent {
            [CmdletBinding()]
            param([hashtable[]] $FilterHashtable, [ValidateRange(1L, [long]::MaxValue)] [long] $MaxEvents)
            throw 'Get-WinEvent is not mocked'
        }
    }

    $SavedZone = Enter-TestForeignZone

    $Rcm = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager'
    $Licensing = 'Microsoft-Windows-TerminalServices-Licensing'
    $GetWinEvent = 'Microsoft.PowerShell.Commands.GetWinEventCommand'

    # A [datetime] of Kind Local for the given instant, as EventLogRecord.TimeCreated is.
    function New-TestLocalDate {
        param([string] $Text)
        return [System.DateTimeOffset]::Parse($Text, [System.Globalization.CultureInfo]::InvariantCulture).LocalDateTime
    }
    # An EventLogRecord as Get-WinEvent writes it: the record's members the template reads, with their types, and the Message note property.
    function New-TestEventRecord {
        param([string] $ProviderName = $Rcm, [int] $Id = 1069, [string] $TimeCreated = '2026-03-31T22:30:15+05:30', [byte] $Level = 2, [AllowNull()] [object] $Message = 'Der Lizenzierungsmodus für den Remotedesktop-Sitzungshost ist nicht konfiguriert.')
        $created = $null
        if ($TimeCreated -ne '') { $created = New-TestLocalDate $TimeCreated }
        return [pscustomobject]@{
            PSTypeName = 'System.Diagnostics.Eventing.Reader.EventLogRecord'
            Id = $Id; Version = [byte]0; Level = $Level; Task = [int]0; Opcode = [int16]0; Keywords = [long]0x80000000000000L
            RecordId = [long]4711; ProviderName = $ProviderName; ProviderId = [guid]'c76baa63-ae81-421c-b425-340b4b24157f'
            LogName = ($ProviderName + '/Admin'); MachineName = 'RDSH01.contoso.com'; TimeCreated = $created
            LevelDisplayName = 'Fehler'; Message = $Message
        }
    }
    # An error as Get-WinEvent writes it: the id the cmdlet gives, its command suffix, a localized message.
    function New-TestWinEventError {
        param(
            [Parameter(Mandatory = $true)] [string] $ErrorId,
            [Parameter(Mandatory = $true)] [string] $Message,
            [System.Management.Automation.ErrorCategory] $Category = [System.Management.Automation.ErrorCategory]::ObjectNotFound,
            [object] $Target = $null,
            [System.Exception] $Exception = $null
        )
        if ($null -eq $Exception) { $Exception = [System.Exception]::new($Message) }
        return [System.Management.Automation.ErrorRecord]::new($Exception, ($ErrorId + ',' + $GetWinEvent), $Category, $Target)
    }

    $Since = New-TestLocalDate '2026-03-24T09:15:00+05:30'
    # German messages of the two "nothing" errors, and a provider's event text.
    $NoEventsGerman = 'Es wurden keine Ereignisse gefunden, die mit den angegebenen Auswahlkriterien übereinstimmen.'
    $NoProviderGerman = 'Auf dem Computer "localhost" ist kein Ereignisanbieter vorhanden, der mit "' + $Licensing + '" übereinstimmt.'
    $AccessDeniedGerman = 'Es wurde versucht, einen nicht autorisierten Vorgang auszuführen.'
}

AfterAll {
    Exit-TestForeignZone -Saved $SavedZone
}

Describe 'Get-WinEvent -FilterHashtable: the query' {
    It 'one filter with exactly ProviderName, Id and StartTime; Id as Int32[]; -MaxEvents; -ErrorAction Stop' {
        Mock Get-WinEvent { return (New-TestEventRecord) }
        [void](Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069, 1028, 50280) -StartTime $Since -MaxEvents 50)
        Should -Invoke Get-WinEvent -Times 1 -Exactly
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter {
            $keys = [string[]]@($FilterHashtable[0].Keys)
            [System.Array]::Sort($keys, [System.StringComparer]::Ordinal)
            $FilterHashtable.Count -eq 1 -and ($keys -join ',') -ceq 'Id,ProviderName,StartTime' -and
            $FilterHashtable[0]['ProviderName'] -is [string] -and $FilterHashtable[0]['ProviderName'] -ceq $Rcm -and
            $FilterHashtable[0]['Id'] -is [int[]] -and ($FilterHashtable[0]['Id'] -join ',') -ceq '1069,1028,50280' -and
            $MaxEvents -eq 50 -and $ErrorAction -eq 'Stop'
        }
    }

    It 'StartTime of Kind Local: handed over exactly as given (the same ticks and Kind)' {
        Mock Get-WinEvent { return (New-TestEventRecord) }
        $given = $Since.AddMilliseconds(123)
        [void](Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $given -MaxEvents 5)
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter {
            $FilterHashtable[0]['StartTime'] -is [datetime] -and $FilterHashtable[0]['StartTime'].Kind -eq [System.DateTimeKind]::Local -and
            $FilterHashtable[0]['StartTime'].Ticks -eq $given.Ticks
        }
    }

    It 'StartTime of Kind Utc: the same instant as local time (Get-WinEvent reads the text it makes of it as local time)' {
        Mock Get-WinEvent { return (New-TestEventRecord) }
        $utc = [datetime]::new(2026, 3, 24, 3, 45, 0, [System.DateTimeKind]::Utc)
        [void](Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $utc -MaxEvents 5)
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter {
            $passed = $FilterHashtable[0]['StartTime']
            $passed -is [datetime] -and $passed.Kind -eq [System.DateTimeKind]::Local -and
            $passed.Ticks -eq $Since.Ticks -and $passed.ToUniversalTime().Ticks -eq $utc.Ticks
        }
    }

    It 'StartTime of Kind Unspecified: as given (local time to Get-WinEvent, as to the simulated platform)' {
        Mock Get-WinEvent { return (New-TestEventRecord) }
        $wall = [datetime]::new(2026, 3, 24, 9, 15, 0, [System.DateTimeKind]::Unspecified)
        [void](Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $wall -MaxEvents 5)
        Should -Invoke Get-WinEvent -Times 1 -Exactly -ParameterFilter {
            $FilterHashtable[0]['StartTime'].Kind -eq [System.DateTimeKind]::Unspecified -and $FilterHashtable[0]['StartTime'].Ticks -eq $wall.Ticks
        }
    }
}

Describe 'Get-WinEvent -FilterHashtable: the events' {
    It 'an event: every field mapped with its type, TimeCreated as UTC text in invariant digits' {
        Mock Get-WinEvent { return (New-TestEventRecord -Id 1069 -TimeCreated '2026-03-31T22:30:15+05:30' -Level 2) }
        $entries = Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50
        ($entries -is [object[]]) | Should -BeTrue
        $entries.Count | Should -Be 1
        Get-TestFieldType $entries[0] | Should -BeExactly 'Id:Int64 Level:Int64 Message:String ProviderName:String TimeCreated:String'
        ConvertTo-RdsTestJson $entries[0] | Should -BeExactly (ConvertTo-RdsTestJson @{
                ProviderName = $Rcm; Id = 1069; TimeCreated = '2026-03-31T17:00:15Z'; Level = 2
                Message = 'Der Lizenzierungsmodus für den Remotedesktop-Sitzungshost ist nicht konfiguriert.'
            })
    }

    It 'a local time just after midnight east of UTC is the day before in UTC' {
        Mock Get-WinEvent { return (New-TestEventRecord -TimeCreated '2026-04-01T00:10:00+05:30') }
        (Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50)[0].TimeCreated | Should -BeExactly '2026-03-31T18:40:00Z'
    }

    It 'a Message of $null (the provider''s message resource is missing) reads ""' {
        Mock Get-WinEvent { return (New-TestEventRecord -Message $null) }
        $entry = (Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50)[0]
        $entry.Message | Should -BeOfType [string]
        $entry.Message | Should -BeExactly ''
    }

    It 'a record without TimeCreated reads ""' {
        Mock Get-WinEvent { return (New-TestEventRecord -TimeCreated '') }
        $entry = (Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50)[0]
        $entry.TimeCreated | Should -BeExactly ''
    }

    It 'several events: all of them, in the order Get-WinEvent gives (newest first)' {
        Mock Get-WinEvent {
            New-TestEventRecord -Id 50280 -TimeCreated '2026-03-31T12:00:00+05:30' -Level 3
            New-TestEventRecord -Id 1069 -TimeCreated '2026-03-30T12:00:00+05:30' -Level 2
            New-TestEventRecord -Id 1028 -TimeCreated '2026-03-29T12:00:00+05:30' -Level 4
        }
        $entries = Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069, 1028, 50280) -StartTime $Since -MaxEvents 50
        ($entries -is [object[]]) | Should -BeTrue
        $entries.Count | Should -Be 3
        (@($entries | ForEach-Object { [string]$_.Id + '@' + $_.TimeCreated + '/' + [string]$_.Level }) -join ' ') | Should -BeExactly '50280@2026-03-31T06:30:00Z/3 1069@2026-03-30T06:30:00Z/2 1028@2026-03-29T06:30:00Z/4'
    }

    It 'Get-WinEvent writing nothing and no error: an empty array, not $null' {
        Mock Get-WinEvent { }
        $entries = Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50
        ($entries -is [object[]]) | Should -BeTrue
        $entries.Count | Should -Be 0
    }
}

Describe 'Get-WinEvent -FilterHashtable: errors' {
    It 'no event matches (NoMatchingEventsFound, German message): an empty array' {
        $record = New-TestWinEventError -ErrorId 'NoMatchingEventsFound' -Message $NoEventsGerman
        Mock Get-WinEvent { Write-Error -ErrorRecord $record }
        $entries = Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50
        ($entries -is [object[]]) | Should -BeTrue
        $entries.Count | Should -Be 0
    }

    It 'the provider is not registered on the host (NoMatchingProvidersFound, German message): an empty array' {
        $record = New-TestWinEventError -ErrorId 'NoMatchingProvidersFound' -Message $NoProviderGerman -Target $Licensing
        Mock Get-WinEvent { Write-Error -ErrorRecord $record }
        $entries = Get-RdsEventLogEntry -ProviderName $Licensing -Id @(18, 21) -StartTime $Since -MaxEvents 50
        ($entries -is [object[]]) | Should -BeTrue
        $entries.Count | Should -Be 0
    }

    It 'the errors the cmdlet writes end the call through -ErrorAction Stop: under a Continue preference an unreadable event throws, no partial list' {
        $ErrorActionPreference = 'Continue'
        $readError = New-TestWinEventError -ErrorId $AccessDeniedGerman -Message $AccessDeniedGerman -Category NotSpecified -Exception ([System.UnauthorizedAccessException]::new($AccessDeniedGerman))
        Mock Get-WinEvent { New-TestEventRecord; Write-Error -ErrorRecord $readError }
        $thrown = Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50 }
        $thrown.FullyQualifiedErrorId | Should -BeExactly ($AccessDeniedGerman + ',' + $GetWinEvent)
        $thrown.Exception | Should -BeOfType [System.UnauthorizedAccessException]
    }

    It 'access denied when the query is opened (the cmdlet ends: System.UnauthorizedAccessException): passes through unchanged' {
        $denied = [System.UnauthorizedAccessException]::new($AccessDeniedGerman)
        $record = New-TestWinEventError -ErrorId 'System.UnauthorizedAccessException' -Message $AccessDeniedGerman -Category NotSpecified -Exception $denied
        Mock Get-WinEvent { throw $record }
        $thrown = Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50 }
        [object]::ReferenceEquals($thrown.Exception, $denied) | Should -BeTrue
        $thrown.FullyQualifiedErrorId | Should -BeExactly ('System.UnauthorizedAccessException,' + $GetWinEvent)
        $thrown.Exception.Message | Should -BeExactly $AccessDeniedGerman
    }

    It 'an error whose message reads "no events" but whose id is another (the id decides, not the localized text): passes through' {
        $record = New-TestWinEventError -ErrorId $NoEventsGerman -Message $NoEventsGerman -Category NotSpecified
        Mock Get-WinEvent { Write-Error -ErrorRecord $record }
        $thrown = Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50 }
        [object]::ReferenceEquals($thrown.Exception, $record.Exception) | Should -BeTrue
        $thrown.FullyQualifiedErrorId | Should -BeExactly ($NoEventsGerman + ',' + $GetWinEvent)
    }

    It 'other "not found" ids (NoMatchingLogsFound, an id that only begins like NoMatchingEventsFound): pass through' {
        $logs = New-TestWinEventError -ErrorId 'NoMatchingLogsFound' -Message 'Auf dem Computer "localhost" ist kein Ereignisprotokoll vorhanden.'
        Mock Get-WinEvent { Write-Error -ErrorRecord $logs }
        (Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50 }).FullyQualifiedErrorId | Should -BeExactly ('NoMatchingLogsFound,' + $GetWinEvent)
        $longer = New-TestWinEventError -ErrorId 'NoMatchingEventsFoundElsewhere' -Message $NoEventsGerman
        Mock Get-WinEvent { Write-Error -ErrorRecord $longer }
        (Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 50 }).FullyQualifiedErrorId | Should -BeExactly ('NoMatchingEventsFoundElsewhere,' + $GetWinEvent)
    }

    It 'MaxEvents 0: Get-WinEvent''s own parameter validation error comes through' {
        Mock Get-WinEvent { return (New-TestEventRecord) }
        $thrown = Get-TestThrown { Get-RdsEventLogEntry -ProviderName $Rcm -Id @(1069) -StartTime $Since -MaxEvents 0 }
        $thrown.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
    }
}
