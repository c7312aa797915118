import ArgumentParser
import CLineEdit
import Foundation
import SynthKit
import SynthLab
import SynthShell

/// `synthlab` with no command: the interactive lab on a terminal, or a script replayed from a
/// file, from `-c`, or from piped stdin.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start the interactive lab (the default), or replay a session script.",
        discussion: "The session language and the shell commands are in docs/repl.md.")

    @Argument(help: ArgumentHelp("A session script to replay (.synth).", valueName: "FILE"))
    var script: String?

    @Option(name: .customShort("c"), help: ArgumentHelp("Statements to run, separated by ';' or new lines; -c again adds a line.", valueName: "STATEMENTS"))
    var commands: [String] = []

    @Flag(help: "Stop at the first error, with exit status 1.")
    var bail = false

    @Option(help: "The session seed: statements without a seed draw theirs from it.")
    var seed: UInt64 = 0

    @Option(help: "The folder of the results store and the tables trials read (default: the user's data folder).")
    var workspace: String?

    @Option(help: "Where plugins run unless a call says: workers (worker processes, the default), inprocess (this process), or slurm (run()'s trials on a Slurm cluster; models and validators in workers).")
    var executor: String?

    @Option(name: .customLong("slurm-partition"), help: "The Slurm partition for executor slurm (default: the cluster's).")
    var slurmPartition: String?

    @Option(name: .customLong("trials-per-task"), help: "Trials packed into one Slurm array task (default 2).")
    var trialsPerTask: Int?

    func run() throws {
        let session = Session(registry: PluginRegistry(), seed: seed)
        let cwd = FileManager.default.currentDirectoryPath
        if let workspace {
            session.workspace = URL(fileURLWithPath: workspace, relativeTo: URL(fileURLWithPath: cwd)).standardizedFileURL.path
            do { try ResultStore.prepare(workspace: session.workspace) } catch { throw CLIError(String(describing: error)) }
        }
        if let executor {
            guard ["workers", "inprocess", "slurm"].contains(executor) else {
                throw CLIError("--executor takes workers, inprocess or slurm, got '\(executor)'")
            }
            session.defaultExecutor = executor
        }
        session.slurmPartition = slurmPartition
        if let trialsPerTask {
            guard trialsPerTask >= 1 else { throw CLIError("--trials-per-task must be at least 1, got \(trialsPerTask)") }
            session.slurmTrialsPerTask = trialsPerTask
        }
        // Scripts and -c have no live progress line: a plain line on stderr per finished trial.
        var plain = SessionIO.standard
        plain.milestone = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
        // On a terminal, tables fold to its width; piped or redirected, they stay whole.
        if isatty(STDOUT_FILENO) != 0 { plain.width = { terminalWidth() } }
        session.setIO(plain)
        var ok = true
        if !commands.isEmpty {
            guard script == nil else { throw CLIError("give a script file or -c, not both") }
            // Each -c is a line of its own: an error names it as -c:LINE:COLUMN.
            ok = session.runScript(commands.joined(separator: "\n"), origin: Origin(file: "-c", folder: cwd), bail: bail)
        } else if let script {
            let read = ScriptFile.read(script)
            guard case .success(let text) = read else {
                guard case .failure(let problem) = read else { return }
                var message = "cannot read \(script) (\(problem.reason))"
                if problem == .missing, !script.contains("/"), !script.contains(".") {
                    // A word, not a path: most likely a mistyped command.
                    let commands = SynthlabCommand.configuration.subcommands.map { $0.configuration }
                        .filter(\.shouldDisplay).compactMap(\.commandName)
                    message = "no command or script file '\(script)'" + Suggest.hint(script, among: commands)
                        + " (commands: \(commands.joined(separator: ", ")); a script is a file such as notebooks/01-quickstart.synth)"
                }
                FileHandle.standardError.write(Data("synthlab: error: \(message)\n".utf8))
                throw ExitCode(1)
            }
            let absolute = script.hasPrefix("/") ? script : (cwd as NSString).appendingPathComponent(script)
            let folder = ((absolute as NSString).deletingLastPathComponent as NSString).standardizingPath
            ok = session.runScript(text, origin: Origin(file: script, folder: folder), bail: bail)
        } else if isatty(STDIN_FILENO) != 0 {
            Repl(session: session).run()
        } else {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let text = String(data: data, encoding: .utf8) else {
                FileHandle.standardError.write(Data("synthlab: error: the input is not UTF-8 text\n".utf8))
                throw ExitCode(1)
            }
            ok = session.runScript(text, origin: Origin(file: "<stdin>", folder: cwd), bail: bail)
        }
        session.finish()
        if !ok { throw ExitCode(1) }
    }
}

/// The interactive loop on libedit: prompt, history, completion, Ctrl-C and Ctrl-D.
final class Repl {
    let session: Session
    let completer: Completer
    /// Earlier lines of a statement that is not finished yet.
    var pending: [String] = []

    init(session: Session) {
        self.session = session
        completer = Completer(session: session)
    }

    static func historyPath() -> String? {
        guard let folder = Session.stateFolder else { return nil }
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder + "/history"
    }

    /// Lists the sessions that ended without `.quit`, then starts this session's journal.
    func startJournal() {
        guard let folder = session.journalFolder else { return }
        let unfinished = SessionJournal.unfinished(in: folder)
        if let newest = unfinished.first {
            var text = unfinished.count == 1
                ? "A session ended without .quit (\(newest.summary)).\n"
                : "\(unfinished.count) sessions ended without .quit, newest first:\n"
                    + unfinished.prefix(5).map { "  \(($0.path as NSString).lastPathComponent): \($0.summary)\n" }.joined()
                    + (unfinished.count > 5 ? "  and \(unfinished.count - 5) more\n" : "")
            text += ".restore replays \(unfinished.count == 1 ? "its statements" : "the newest (.restore FILE another)")"
                + "; .restore forget drops \(unfinished.count == 1 ? "it" : "them").\n"
            FileHandle.standardError.write(Data(text.utf8))
        }
        do {
            let journal = try SessionJournal(folder: folder, workingFolder: FileManager.default.currentDirectoryPath)
            session.journal = journal
            sl_set_crash_descriptor(journal.descriptor)
        } catch {
            FileHandle.standardError.write(Data("synthlab: warning: \(error.message); a crash would lose this session's statements\n".utf8))
        }
    }

    /// What a crash while `text` runs writes after "synthlab: the session crashed (signal N)".
    func crashNote(running text: String) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.count > 5 { lines = Array(lines.prefix(5)) + ["..."] }
        let shown = lines.map { "  " + String($0.prefix(300)) }.joined(separator: "\n")
        var note = " while running:\n\(shown)\n"
        if session.journal != nil {
            note += "The statements that finished before it are kept: start synthlab again and type .restore to replay them.\n"
        }
        return note
    }

    func run() {
        useUTF8Locale()
        sl_install_interrupt_handler()
        session.cancellationRequested = { sl_interrupted() != 0 }
        let status = StatusLine()
        // Whatever is printed while a progress line is up (a plugin's warning, a result) first
        // erases it, so that it starts a line of its own; the next report draws the line again.
        let standard = SessionIO.standard
        var io = standard
        io.write = { status.show(nil); standard.write($0) }
        io.diagnostic = { status.show(nil); standard.diagnostic($0) }
        io.progress = { status.show($0) }
        io.width = { terminalWidth() }
        session.setIO(io)

        guard let editor = sl_open("synthlab", Repl.historyPath(), 1000) else {
            FileHandle.standardError.write(Data("synthlab: error: cannot start the line editor\n".utf8))
            return
        }
        defer {
            sl_close(editor)
            // The journal is closed after this (Session.finish); its descriptor may be reused.
            sl_set_crash_descriptor(-1)
        }
        let context = Unmanaged.passUnretained(self).toOpaque()
        sl_set_completer(editor, replComplete, context)

        let plugins = session.registry.plugins.count
        print("SynthLab: \(plugins) plugin\(plugins == 1 ? "" : "s") loaded. .help for help, Tab completes, Ctrl-D leaves.")
        startJournal()
        sl_install_crash_note()
        while true {
            sl_set_prompt(editor, pending.isEmpty ? "synthlab> " : "     ...> ")
            var interrupted: Int32 = 0
            guard let raw = sl_read_line(editor, &interrupted) else {
                print("")
                break
            }
            let line = String(cString: raw)
            free(raw)
            if interrupted != 0 {
                pending = []
                continue
            }
            if pending.isEmpty, line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            sl_add_history(editor, line.trimmingCharacters(in: .whitespaces))
            pending.append(line)
            let text = pending.joined(separator: "\n")
            if !ShellCommands.isCommand(text), Session.needsMoreLines(text) { continue }
            pending = []
            sl_clear_interrupt()
            sl_set_crash_note(crashNote(running: text))
            session.runScript(text, origin: .interactive(), bail: true)
            sl_set_crash_note(nil)
            sl_clear_interrupt()
            if session.quitRequested { break }
        }
    }

    func complete(_ line: String) -> Completion {
        let before = pending.isEmpty ? line : (pending + [line]).joined(separator: "\n")
        return completer.complete(before)
    }
}

/// libedit's Tab callback: the REPL's completer through the C face.
private let replComplete: sl_complete_fn = { context, line, insert, listing in
    guard let context, let line, let insert, let listing else { return }
    let repl = Unmanaged<Repl>.fromOpaque(context).takeUnretainedValue()
    let result = repl.complete(String(cString: line))
    if !result.insert.isEmpty { insert.pointee = strdup(result.insert) }
    if result.insert.isEmpty, result.candidates.count > 1 {
        listing.pointee = strdup(columns(result.candidates, width: terminalWidth()))
    }
}

/// Candidates laid out in columns, as shells list completions.
func columns(_ items: [String], width: Int) -> String {
    let cell = (items.map(\.count).max() ?? 0) + 2
    let perLine = max(1, width / cell)
    var text = ""
    for (index, item) in items.enumerated() {
        let last = index % perLine == perLine - 1 || index == items.count - 1
        text += last ? item + "\n" : item.padding(toLength: cell, withPad: " ", startingAt: 0)
    }
    return text
}

/// libedit reads UTF-8 only under a UTF-8 locale; fall back to C.UTF-8 when the environment's
/// locale is not one.
func useUTF8Locale() {
    if let current = setlocale(LC_CTYPE, ""), String(cString: current).lowercased().contains("utf") { return }
    _ = setlocale(LC_CTYPE, "C.UTF-8")
}
