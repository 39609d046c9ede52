using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace RdsPlan.Engine;

internal sealed class CommandLineException(string message) : Exception(message);

/// <summary>pwsh's command line, the subset the project uses (see README.md).</summary>
internal sealed class CommandLine
{
    public string? File { get; private set; }
    public List<CommandParameter> FileArgs { get; } = new();
    public string? Command { get; private set; }
    public bool NoExit { get; private set; }
    public bool ShowHelp { get; private set; }
    public string? WorkingDirectory { get; private set; }

    // pwsh matches a parameter by any unambiguous prefix, with these minimum lengths.
    private static bool Is(string arg, string name, int minLength) =>
        arg.Length >= minLength && arg.Length <= name.Length &&
        name.StartsWith(arg, StringComparison.OrdinalIgnoreCase);

    public static CommandLine Parse(string[] args)
    {
        var cl = new CommandLine();
        for (int i = 0; i < args.Length; i++)
        {
            string raw = args[i];
            if (raw.Length < 2 || !(raw[0] == '-' || raw[0] == '\u2013'))
            {
                // The first argument that is not a parameter is the script file (pwsh 6+).
                cl.TakeFile(args, i);
                break;
            }
            string a = raw.TrimStart('-', '\u2013').ToLowerInvariant();
            string Next()
            {
                if (++i >= args.Length) throw new CommandLineException($"Missing argument for parameter '{raw}'.");
                return args[i];
            }
            if (Is(a, "nologo", 3) || Is(a, "noprofile", 3) || Is(a, "noninteractive", 4) || Is(a, "noprofileloadtime", 10) || Is(a, "login", 1) || a == "mta" || a == "sta")
                continue;
            if (Is(a, "noexit", 3)) { cl.NoExit = true; continue; }
            if (Is(a, "executionpolicy", 2) || a == "ep" || Is(a, "inputformat", 2) || Is(a, "outputformat", 1) || Is(a, "windowstyle", 1) || Is(a, "configurationname", 6) || Is(a, "settingsfile", 2))
            {
                Next(); // Accepted for compatibility; no policy is enforced off Windows.
                continue;
            }
            if (Is(a, "workingdirectory", 2) || a == "wd") { cl.WorkingDirectory = Next(); continue; }
            if (a == "?" || a == "h" || Is(a, "help", 1)) { cl.ShowHelp = true; return cl; }
            if (Is(a, "file", 1))
            {
                if (i + 1 >= args.Length) throw new CommandLineException("The value for parameter '-File' is missing.");
                cl.TakeFile(args, i + 1);
                break;
            }
            if (Is(a, "command", 1))
            {
                if (i + 1 >= args.Length) throw new CommandLineException("Cannot process the command because of a missing parameter. A command must follow -Command.");
                // pwsh joins everything after -Command into one script text.
                cl.Command = string.Join(' ', args, i + 1, args.Length - i - 1);
                break;
            }
            if (Is(a, "encodedcommand", 1) || a == "ec")
            {
                string b64 = Next();
                try { cl.Command = Encoding.Unicode.GetString(Convert.FromBase64String(b64)); }
                catch (FormatException) { throw new CommandLineException("Cannot process the encoded command: it is not valid Base64."); }
                continue;
            }
            throw new CommandLineException($"The argument '{raw}' is not recognized as the name of a script file. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.");
        }
        return cl;
    }

    /// <summary>Script arguments become parameters exactly as ConsoleHost builds them.</summary>
    private void TakeFile(string[] args, int index)
    {
        File = args[index];
        string? pending = null;
        for (int i = index + 1; i < args.Length; i++)
        {
            string arg = args[i];
            if (pending != null)
            {
                FileArgs.Add(new CommandParameter(pending, arg));
                pending = null;
                continue;
            }
            if (arg.Length > 1 && (arg[0] == '-' || arg[0] == '\u2013'))
            {
                int colon = arg.IndexOf(':');
                if (colon >= 0)
                {
                    string name = arg.Substring(1, colon - 1);
                    if (colon == arg.Length - 1) { pending = name; continue; }
                    string value = arg.Substring(colon + 1);
                    if (value.Equals("$true", StringComparison.OrdinalIgnoreCase)) FileArgs.Add(new CommandParameter(name, true));
                    else if (value.Equals("$false", StringComparison.OrdinalIgnoreCase)) FileArgs.Add(new CommandParameter(name, false));
                    else FileArgs.Add(new CommandParameter(name, value));
                }
                else
                {
                    // A bare "-Name": the binder pairs it with the following value unless
                    // the parameter is a switch, like `pwsh -File s.ps1 -Name v -WhatIf`.
                    FileArgs.Add(new CommandParameter(arg));
                }
            }
            else FileArgs.Add(new CommandParameter(null, arg));
        }
    }
}
