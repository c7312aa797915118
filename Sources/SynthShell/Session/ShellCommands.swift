import Foundation
import SynthKit
import SynthLab

/// What a shell command's argument completes to.
enum CommandArgument: Equatable, Sendable {
    case none
    case path
    case words([String])
    case commandName
    /// The journals `.restore` can replay, and `forget`.
    case journals
    /// The session's bound names.
    case boundNames
}

/// A dot-command of the shell, apart from the language. Its declaration is what `.help`,
/// dispatch and completion read.
struct ShellCommand: Sendable {
    let name: String
    let arguments: String
    let summary: String
    let argument: CommandArgument
    let run: @Sendable (Session, [String], Origin) throws(ShellError) -> Void
}

public enum ShellCommands {
    /// True for a line that is a shell command (it starts with '.').
    public static func isCommand(_ line: String) -> Bool {
        line.drop { $0 == " " || $0 == "\t" }.first == "."
    }

    static func named(_ name: String) -> ShellCommand? { all.first { $0.name == name } }

    /// The command a bare word names when typed without its dot: `help` is `.help`, and `exit`,
    /// as other REPLs spell it, `.quit`.
    static func named(withoutDot word: String) -> ShellCommand? { named("." + (word == "exit" ? "quit" : word)) }

    static let all: [ShellCommand] = [
        ShellCommand(name: ".help", arguments: "[NAME]", summary: "This list, or the help of one command, function or plugin.",
                     argument: .commandName) { session, arguments, _ throws(ShellError) in
            session.emit(try help(arguments.first, session: session))
        },
        ShellCommand(name: ".read", arguments: "FILE", summary: "Run the statements of a script; stops at its first error.",
                     argument: .path) { session, arguments, _ throws(ShellError) in
            guard arguments.count == 1 else { throw ShellError(".read takes one file: .read FILE") }
            guard try runFile(session.resolve(arguments[0]), shownAs: arguments[0], session: session) else {
                throw ShellError(".read \(arguments[0]) stopped at its first error")
            }
        },
        ShellCommand(name: ".restore", arguments: "[FILE|forget]",
                     summary: "Replay a session that ended without .quit (the newest, or FILE from the list at start); forget: drop them all.",
                     argument: .journals) { session, arguments, _ throws(ShellError) in
            try restore(arguments, session: session)
        },
        ShellCommand(name: ".record", arguments: "FILE|off", summary: "Write each successful statement to FILE as a replayable script.",
                     argument: .path) { session, arguments, _ throws(ShellError) in
            guard arguments.count == 1 else { throw ShellError(".record takes a file or off: .record FILE") }
            if arguments[0] == "off" {
                guard session.recorder != nil else { throw ShellError("nothing is being recorded") }
                let path = session.recorder!.path
                session.recorder = nil
                session.io.diagnostic("recording stopped: \(path)\n")
                return
            }
            let path = session.resolve(arguments[0])
            try session.checkWritable(path)
            let header = "# synthlab session recorded on \(ISO8601DateFormatter().string(from: Date()))\n# replay: synthlab \(arguments[0])\n"
            session.recorder = try Recorder(path: path, header: header)
            if session.mode != .table { session.recorder?.write(".mode \(session.mode.rawValue)") }
        },
        ShellCommand(name: ".output", arguments: "[FILE]", summary: "Send results to FILE (written when output goes back); no FILE: back to the screen.",
                     argument: .path) { session, arguments, _ throws(ShellError) in
            if let redirect = session.redirect {
                session.redirect = nil
                if let problem = redirect.commit() { throw ShellError(problem) }
            }
            guard let file = arguments.first else { return }
            let path = session.resolve(file)
            try session.checkWritable(path)
            session.redirect = OutputRedirect(path: path, once: false)
        },
        ShellCommand(name: ".once", arguments: "FILE", summary: "Send the results of the next line only to FILE.",
                     argument: .path) { session, arguments, _ throws(ShellError) in
            guard arguments.count == 1 else { throw ShellError(".once takes one file: .once FILE") }
            let path = session.resolve(arguments[0])
            try session.checkWritable(path)
            if let redirect = session.redirect, let problem = redirect.commit() { session.io.diagnostic("error: \(problem)\n") }
            session.redirect = OutputRedirect(path: path, once: true)
        },
        ShellCommand(name: ".mode", arguments: "[table|markdown|csv|json|latex|html]", summary: "How result tables are written; no argument: show it.",
                     argument: .words(OutputMode.allCases.map(\.rawValue))) { session, arguments, _ throws(ShellError) in
            guard let name = arguments.first else { session.emit("\(session.mode.rawValue)\n"); return }
            guard let mode = OutputMode(rawValue: name) else {
                let names = OutputMode.allCases.map(\.rawValue)
                throw ShellError("no mode '\(name)'" + Suggest.hint(name, among: names) + " (modes: \(names.joined(separator: ", ")))")
            }
            session.mode = mode
            session.recorder?.write(".mode \(mode.rawValue)")
            session.journal?.write(".mode \(mode.rawValue)")
        },
        ShellCommand(name: ".timer", arguments: "on|off", summary: "After each statement, print its wall time and the peak memory.",
                     argument: .words(["on", "off"])) { session, arguments, _ throws(ShellError) in
            guard arguments.count == 1, ["on", "off"].contains(arguments[0]) else { throw ShellError(".timer takes on or off") }
            session.timer = arguments[0] == "on"
        },
        ShellCommand(name: ".workspace", arguments: "[FOLDER]", summary: "The folder of the results store (synthlab-results.sqlite) and of the tables trials read.",
                     argument: .path) { session, arguments, _ throws(ShellError) in
            guard let folder = arguments.first else { session.emit("\(session.workspace)\n"); return }
            guard arguments.count == 1 else { throw ShellError(".workspace takes one folder") }
            let path = session.resolve(folder)
            do { try ResultStore.prepare(workspace: path) } catch { throw ShellError(String(describing: error)) }
            session.workspace = path
            session.journal?.write(".workspace \"\(session.workspace)\"")
        },
        ShellCommand(name: ".seed", arguments: "[N]", summary: "The session seed, from which statements without a seed draw theirs.",
                     argument: .none) { session, arguments, _ throws(ShellError) in
            guard let text = arguments.first else { session.emit("\(session.sessionSeed)\n"); return }
            guard let seed = UInt64(text) else {
                let tooLarge = text.allSatisfy(\.isNumber) && !text.isEmpty
                throw ShellError(".seed takes a non-negative integer" + (tooLarge ? " of at most \(UInt64.max)" : "") + ", got '\(text)'")
            }
            session.setSeed(seed)
        },
        ShellCommand(name: ".names", arguments: "", summary: "The bound names and their values.",
                     argument: .none) { session, _, _ throws(ShellError) in
            if session.boundNames.isEmpty, session.mode == .table {
                session.emit("no names are bound yet: NAME = EXPRESSION binds one\n")
                return
            }
            let rows: [[ResultTable.Cell]] = session.boundNames.map { name in
                let value = session.lookup(name)!
                return [.text(name), .text(value.typeName), .text(Display.line(value))]
            }
            session.emit(ResultTable(columns: ["name", "kind", "value"], rows: rows).render(session.mode == .table ? .table : session.mode))
        },
        ShellCommand(name: ".drop", arguments: "NAME [NAME ...]",
                     summary: "Unbind names; a model's worker process ends with its last name.",
                     argument: .boundNames) { session, arguments, _ throws(ShellError) in
            guard !arguments.isEmpty else { throw ShellError(".drop takes the names to unbind: .drop NAME [NAME ...]") }
            // Every name is checked before any is dropped.
            for name in arguments where session.lookup(name) == nil {
                throw ShellError("nothing is bound to '\(name)'" + Suggest.hint(name, among: session.boundNames))
            }
            for name in Set(arguments) { session.unbind(name) }
            session.recorder?.write(".drop \(arguments.joined(separator: " "))")
            session.journal?.write(".drop \(arguments.joined(separator: " "))")
        },
        ShellCommand(name: ".plugins", arguments: "", summary: "The loaded plugins, and the files that were rejected with the reason.",
                     argument: .none) { session, _, _ throws(ShellError) in
            let rows: [[ResultTable.Cell]] = session.registry.plugins.map { plugin in
                [.text(plugin.id), .text(plugin.kind.rawValue), .text(plugin.descriptor.version), .text(plugin.descriptor.name)]
            }
            var text = ResultTable(columns: ["id", "kind", "version", "name"], rows: rows).render(session.mode)
            for rejected in session.registry.rejected { text += "rejected \(rejected.path): \(rejected.reason)\n" }
            session.emit(text)
        },
        ShellCommand(name: ".quit", arguments: "", summary: "Leave the session (Ctrl-D does too).",
                     argument: .none) { session, _, _ throws(ShellError) in
            session.requestQuit()
        },
    ]

    /// Runs the script at `path` (errors name it `name`) as `.read` does, stopping at its first
    /// error; false when one stopped it. A script that would read itself again is refused.
    static func runFile(_ path: String, shownAs name: String, session: Session) throws(ShellError) -> Bool {
        guard !session.readStack.contains(path) else { throw ShellError(".read \(name) would read itself again") }
        let text: String
        switch ScriptFile.read(path) {
        case .success(let read): text = read
        case .failure(let problem): throw ShellError("cannot read \(path) (\(problem.reason))")
        }
        session.readStack.append(path)
        defer { session.readStack.removeLast() }
        return session.runScript(text, origin: Origin(file: name, folder: (path as NSString).deletingLastPathComponent), bail: true)
    }

    /// `.restore`: replays the newest unfinished session's journal (or the one named), holding
    /// its lock meanwhile, and deletes it once every statement ran again; `.restore forget`
    /// deletes them all.
    static func restore(_ arguments: [String], session: Session) throws(ShellError) {
        guard let folder = session.journalFolder else {
            throw ShellError("no folder of session journals: set HOME or XDG_STATE_HOME to an absolute folder")
        }
        let unfinished = SessionJournal.unfinished(in: folder)
        if arguments.first == "forget" {
            guard !unfinished.isEmpty else { throw ShellError("no session ended without .quit: nothing to forget") }
            var dropped = 0
            for journal in unfinished {
                guard let lock = JournalLock(path: journal.path) else { continue }
                if unlink(journal.path) == 0 { dropped += 1 }
                lock.release()
            }
            session.io.diagnostic("forgot \(dropped) unfinished session\(dropped == 1 ? "" : "s")\n")
            return
        }
        let chosen: SessionJournal.Unfinished
        if let name = arguments.first {
            let path = name.contains("/") ? session.resolve(name) : folder + "/" + name
            guard let match = unfinished.first(where: { $0.path == path }) else {
                let listed = unfinished.map { ($0.path as NSString).lastPathComponent }
                throw ShellError("'\(name)' is not the journal of a session that ended without .quit"
                    + (listed.isEmpty ? " (there is none)" : " (those are: \(listed.joined(separator: ", ")))")
                    + "; .read runs any script")
            }
            chosen = match
        } else {
            guard let newest = unfinished.first else { throw ShellError("no session ended without .quit: nothing to restore") }
            chosen = newest
        }
        guard let lock = JournalLock(path: chosen.path) else {
            throw ShellError("the session of \(chosen.path) is running again, or another session is restoring it")
        }
        defer { lock.release() }
        session.io.diagnostic("restoring the session \(chosen.summary)\n")
        guard try runFile(chosen.path, shownAs: chosen.path, session: session) else {
            throw ShellError(".restore stopped at the journal's first error; the journal stays: \(chosen.path)")
        }
        unlink(chosen.path)
        session.io.diagnostic("restored \(chosen.statements) statement\(chosen.statements == 1 ? "" : "s")\n")
    }

    /// Runs a command line: `.name ARG ...` (arguments split at blanks; "quoted" ones may hold blanks).
    static func run(_ line: String, session: Session, origin: Origin, line number: Int) throws(ShellError) {
        let words = try split(line.trimmingCharacters(in: .whitespaces), line: number)
        let name = words.first ?? "."
        guard let command = named(name) else {
            throw ShellError("no command '\(name)'" + Suggest.hint(name, among: all.map(\.name)) + "; .help lists them",
                             at: SourceLocation(line: number, column: 1))
        }
        // "" takes nothing, "NAME [NAME ...]" any number, every other form one argument.
        let most = command.arguments.isEmpty ? 0 : command.arguments.contains("...") ? Int.max : 1
        if words.count - 1 > most {
            let usage = command.arguments.isEmpty ? command.name : "\(command.name) \(command.arguments)"
            throw ShellError("\(command.name) takes \(most == 0 ? "no argument" : "one argument"), got \(words.count - 1): \(usage)"
                             + (most == 1 ? " (quote a path with spaces)" : ""),
                             at: SourceLocation(line: number, column: 1))
        }
        do {
            try command.run(session, Array(words.dropFirst()), origin)
        } catch {
            var located = error
            if located.location == nil { located.location = SourceLocation(line: number, column: 1) }
            throw located
        }
    }

    static func split(_ line: String, line number: Int) throws(ShellError) -> [String] {
        var words: [String] = [], current = "", quoted = false, started = false
        for character in line {
            if character == "\"" { quoted.toggle(); started = true; continue }
            if !quoted, character == " " || character == "\t" {
                if started { words.append(current); current = ""; started = false }
                continue
            }
            current.append(character)
            started = true
        }
        if quoted { throw ShellError("a quoted argument has no closing quote", at: SourceLocation(line: number, column: 1)) }
        if started { words.append(current) }
        return words
    }

    /// `.help`: the commands, the functions and the plugins; `.help NAME`: one of them.
    static func help(_ name: String?, session: Session) throws(ShellError) -> String {
        if let name {
            let bare = name.hasPrefix(".") ? String(name.dropFirst()) : name
            if let command = named("." + bare) {
                return "\(command.name) \(command.arguments)\n  \(command.summary)\n"
            }
            if let builtin = Builtins.named(bare) {
                var text = "\(builtin.usage)\n  \(builtin.summary)\n"
                for parameter in builtin.parameters {
                    text += "  \(parameter.name)\(parameter.required ? "" : " (optional)"): \(parameter.help)\n"
                }
                return text
            }
            if let plugin = session.registry.plugins.first(where: { $0.id == bare }) {
                return Display.render(.plugin(plugin), mode: .table)
            }
            let known = all.map(\.name) + Builtins.all.map(\.name) + session.registry.plugins.map(\.id)
            throw ShellError("no command, function or plugin '\(name)'" + Suggest.hint(name, among: known))
        }
        var text = "Shell commands (at the start of a line):\n"
        let width = all.map { $0.name.count + $0.arguments.count + 1 }.max() ?? 0
        for command in all {
            let head = command.arguments.isEmpty ? command.name : "\(command.name) \(command.arguments)"
            text += "  " + head.padding(toLength: width + 2, withPad: " ", startingAt: 0) + command.summary + "\n"
        }
        text += "\nFunctions:\n"
        let usageWidth = Builtins.all.map(\.usage.count).max() ?? 0
        for builtin in Builtins.all {
            text += "  " + builtin.usage.padding(toLength: usageWidth + 2, withPad: " ", startingAt: 0) + builtin.summary + "\n"
        }
        text += "\nPlugins (call one with its parameters, as in independent(bins: 20); .help ID shows them):\n"
        for kind in PluginKind.allCases {
            let ids = session.registry.plugins(of: kind).map(\.id)
            if !ids.isEmpty { text += "  \(kind.rawValue): \(ids.joined(separator: ", "))\n" }
        }
        text += "\nStatements: NAME = EXPRESSION binds a name; an EXPRESSION alone shows its value.\n"
        text += "Compose privacy with GENERATOR with PRIVACY; a list argument sweeps, as in laplace(epsilon: [0.1, 1, 10]).\n"
        return text
    }
}

/// The text of a script file, or why it has none: `FileBytes`' reasons, and "not UTF-8 text".
public enum ScriptFile {
    public static func read(_ path: String) -> Result<String, FileBytes.Failure> {
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path, text: true) } catch { return .failure(error) }
        guard let text = String(validating: bytes, as: UTF8.self) else { return .failure(.other("not UTF-8 text")) }
        return .success(text)
    }
}
