using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace RdsPlan.CSharpCheck;

/// <summary>
/// rdsplan-csharp-check FILE.ps1...: compiles the C# that each Add-Type call embeds
/// (-TypeDefinition or -MemberDefinition, given as a string literal or a variable assigned
/// one) with Roslyn, so a typo in the Windows-only platform layer fails on Linux CI.
///
/// The code is parsed as C# 5 because Windows PowerShell 5.1's Add-Type compiles with the
/// .NET Framework's CodeDom compiler, which stops at C# 5; it is bound against the .NET
/// reference assemblies of the SDK plus System.Management.Automation, as pwsh's Add-Type
/// does. Like Add-Type, warnings fail the check unless the call passes -IgnoreWarnings.
/// Output: FILE:LINE:COL: error|warning ID: message, lines and columns in the .ps1 file.
/// Exit: 0 clean, 1 diagnostics that fail, 2 unusable input.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var langVersion = LanguageVersion.CSharp5;
        var files = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--lang-version" && i + 1 < args.Length)
            {
                if (!LanguageVersionFacts.TryParse(args[++i], out langVersion))
                {
                    Console.Error.WriteLine($"rdsplan-csharp-check: unknown C# language version '{args[i]}'");
                    return 2;
                }
            }
            else files.Add(args[i]);
        }
        if (files.Count == 0)
        {
            Console.Error.WriteLine("usage: rdsplan-csharp-check [--lang-version 5|7.3|latest] FILE.ps1...");
            return 2;
        }

        IReadOnlyList<MetadataReference> references = References.Load();
        bool failed = false;
        bool unusable = false;
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"{file}: error: file not found");
                unusable = true;
                continue;
            }
            ScriptBlockAst ast = Parser.ParseFile(Path.GetFullPath(file), out _, out ParseError[] parseErrors);
            foreach (ParseError pe in parseErrors)
            {
                Console.Out.WriteLine($"{file}:{pe.Extent.StartLineNumber}:{pe.Extent.StartColumnNumber}: error PS: {pe.Message}");
                failed = true;
            }
            List<Block> blocks = Blocks.Find(ast, file, out List<string> problems);
            foreach (string p in problems) { Console.Out.WriteLine(p); failed = true; }
            Console.Out.WriteLine($"{file}: {blocks.Count} Add-Type block(s)");
            foreach (Block b in blocks)
                failed |= Compile(b, references, langVersion);
        }
        return unusable ? 2 : failed ? 1 : 0;
    }

    private static bool Compile(Block block, IReadOnlyList<MetadataReference> references, LanguageVersion langVersion)
    {
        var parseOptions = new CSharpParseOptions(langVersion);
        SyntaxTree tree = CSharpSyntaxTree.ParseText(block.Code, parseOptions, path: block.File);
        var compilation = CSharpCompilation.Create(
            "AddType_" + Guid.NewGuid().ToString("N"),
            new[] { tree },
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: false));
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        bool failed = false;
        foreach (Diagnostic d in emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && !d.IsSuppressed)
                     .OrderBy(d => d.Location.SourceSpan.Start))
        {
            bool isError = d.Severity == DiagnosticSeverity.Error || !block.IgnoreWarnings;
            failed |= isError;
            var span = d.Location.GetLineSpan();
            (int line, int col) = block.Map(span.StartLinePosition.Line, span.StartLinePosition.Character);
            Console.Out.WriteLine($"{block.File}:{line}:{col}: {(d.Severity == DiagnosticSeverity.Error ? "error" : "warning")} {d.Id}: {d.GetMessage()}");
        }
        return failed;
    }
}

/// <summary>One Add-Type C# source, with the mapping back to the .ps1 file.</summary>
internal sealed record Block(string File, string Code, int FirstLine, int FirstColumn, int WrapperLines, bool IgnoreWarnings)
{
    /// <summary>Maps a 0-based line/column of Code to the 1-based position in the .ps1.</summary>
    public (int Line, int Column) Map(int line, int column)
    {
        int inSource = line - WrapperLines;
        if (inSource < 0) return (FirstLine, FirstColumn);
        return (FirstLine + inSource, inSource == 0 ? FirstColumn + column : column + 1);
    }
}

internal static class Blocks
{
    public static List<Block> Find(ScriptBlockAst ast, string file, out List<string> problems)
    {
        var found = new List<Block>();
        problems = new List<string>();
        foreach (CommandAst cmd in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
        {
            if (!string.Equals(cmd.GetCommandName(), "Add-Type", StringComparison.OrdinalIgnoreCase)) continue;
            var elements = cmd.CommandElements;
            string? kind = null;
            ExpressionAst? source = null;
            bool ignoreWarnings = false;
            string? name = null, ns = null;
            var usings = new List<string>();
            for (int i = 1; i < elements.Count; i++)
            {
                if (elements[i] is not CommandParameterAst p) continue;
                ExpressionAst? arg = p.Argument ?? (i + 1 < elements.Count ? elements[i + 1] as ExpressionAst : null);
                string pn = p.ParameterName;
                if (Is(pn, "TypeDefinition")) { kind = "type"; source = arg; }
                else if (Is(pn, "MemberDefinition")) { kind = "member"; source = arg; }
                else if (Is(pn, "IgnoreWarnings")) ignoreWarnings = true;
                else if (Is(pn, "Name")) name = (arg as StringConstantExpressionAst)?.Value;
                else if (Is(pn, "Namespace")) ns = (arg as StringConstantExpressionAst)?.Value;
                else if (Is(pn, "UsingNamespace") && arg != null) usings.AddRange(Strings(arg));
            }
            if (kind == null) continue; // -Path/-AssemblyName forms carry no inline C#
            StringConstantExpressionAst? text = Resolve(source, ast);
            if (text == null)
            {
                problems.Add($"{file}:{cmd.Extent.StartLineNumber}:{cmd.Extent.StartColumnNumber}: error RDS001: Add-Type source is not a literal string or a variable assigned one; it cannot be checked");
                continue;
            }
            // A here-string's content starts on the line after its opening @' / @".
            bool here = text.StringConstantType is StringConstantType.SingleQuotedHereString or StringConstantType.DoubleQuotedHereString;
            int firstLine = here ? text.Extent.StartLineNumber + 1 : text.Extent.StartLineNumber;
            int firstColumn = here ? 1 : text.Extent.StartColumnNumber + 1;
            if (kind == "type")
            {
                found.Add(new Block(file, text.Value, firstLine, firstColumn, 0, ignoreWarnings));
            }
            else
            {
                // What Add-Type -MemberDefinition generates around the members.
                var header = new List<string> { "using System;", "using System.Runtime.InteropServices;" };
                header.AddRange(usings.Select(u => $"using {u};"));
                header.Add($"namespace {ns ?? "Microsoft.PowerShell.Commands.AddType.AutoGeneratedTypes"}");
                header.Add("{");
                header.Add($"public class {name ?? "AddTypeMembers"}");
                header.Add("{");
                string code = string.Join("\n", header) + "\n" + text.Value + "\n}\n}\n";
                found.Add(new Block(file, code, firstLine, firstColumn, header.Count, ignoreWarnings));
            }
        }
        return found;
    }

    private static bool Is(string given, string name) =>
        given.Length > 0 && name.StartsWith(given, StringComparison.OrdinalIgnoreCase);

    private static IEnumerable<string> Strings(ExpressionAst arg) => arg switch
    {
        StringConstantExpressionAst s => new[] { s.Value },
        ArrayLiteralAst a => a.Elements.OfType<StringConstantExpressionAst>().Select(e => e.Value),
        ArrayExpressionAst ae => ae.FindAll(x => x is StringConstantExpressionAst, false).Cast<StringConstantExpressionAst>().Select(e => e.Value),
        _ => Array.Empty<string>(),
    };

    private static string Unqualified(System.Management.Automation.VariablePath path)
    {
        string p = path.UserPath;
        int colon = p.IndexOf(':');
        return colon >= 0 && (path.IsScript || path.IsGlobal || path.IsLocal || path.IsPrivate) ? p.Substring(colon + 1) : p;
    }

    /// <summary>A literal, or `$x` whose last assignment before the call in the file is one.</summary>
    private static StringConstantExpressionAst? Resolve(ExpressionAst? source, Ast root)
    {
        if (source is StringConstantExpressionAst s) return s;
        if (source is ExpandableStringExpressionAst) return null;
        if (source is not VariableExpressionAst v) return null;
        // $script:X and $X name the same variable here: the templates assign at script
        // level and read through a scope qualifier from their functions.
        string name = Unqualified(v.VariablePath);
        var assignments = root.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>()
            .Where(a => a.Left is VariableExpressionAst l
                        && string.Equals(Unqualified(l.VariablePath), name, StringComparison.OrdinalIgnoreCase))
            .ToList();
        // The last assignment before the call, else (a function defined above the
        // assignment it later reads) the last one in the file.
        AssignmentStatementAst? chosen = assignments.LastOrDefault(a => a.Extent.StartOffset < source.Extent.StartOffset)
            ?? assignments.LastOrDefault();
        if (chosen == null) return null;
        return ((chosen.Right as CommandExpressionAst)?.Expression ?? (chosen.Right as PipelineAst)?.GetPureExpression())
            as StringConstantExpressionAst;
    }
}

/// <summary>The SDK's reference assemblies (what Add-Type compiles against) plus SMA.</summary>
internal static class References
{
    public static IReadOnlyList<MetadataReference> Load()
    {
        var paths = new List<string>();
        string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        // <root>/shared/Microsoft.NETCore.App/<version>/ -> <root>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net<major>.<minor>/
        string root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        string packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        string tfm = $"net{Environment.Version.Major}.{Environment.Version.Minor}";
        string? refDir = Directory.Exists(packs)
            ? Directory.GetDirectories(packs)
                .Select(d => Path.Combine(d, "ref", tfm))
                .Where(Directory.Exists)
                .OrderByDescending(d => Version.TryParse(Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(d))!).Split('-')[0], out var ver) ? ver : new Version(0, 0))
                .FirstOrDefault()
            : null;
        // Without the SDK's targeting pack, the runtime's implementation assemblies still
        // bind everything the platform code uses.
        paths.AddRange(Directory.GetFiles(refDir ?? runtimeDir, "*.dll")
            .Where(p => refDir != null || IsManaged(p)));
        paths.Add(typeof(System.Management.Automation.PSObject).Assembly.Location);
        return paths.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
    }

    private static bool IsManaged(string path)
    {
        try { System.Reflection.AssemblyName.GetAssemblyName(path); return true; }
        catch (Exception) { return false; }
    }
}
