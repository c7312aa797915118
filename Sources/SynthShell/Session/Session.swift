import Foundation
import SynthKit
import SynthLab
import SynthMath

/// What the session writes: results to the output (stdout, or a file after `.output`/`.once`),
/// errors and progress to the diagnostics stream.
public struct SessionIO {
    public var write: (String) -> Void
    public var diagnostic: (String) -> Void
    /// Shows a progress line; nil clears it. Only a terminal session sets this.
    public var progress: ((String?) -> Void)?
    /// Plain lines for a session without a live progress line (a script): one per finished trial.
    public var milestone: ((String) -> Void)?
    /// The screen's width in characters, asked each time a result is shown there; only a
    /// terminal session sets it. Boxed tables wider than it fold into blocks of columns.
    public var width: (() -> Int)?

    public init(write: @escaping (String) -> Void, diagnostic: @escaping (String) -> Void,
                progress: ((String?) -> Void)? = nil) {
        self.write = write
        self.diagnostic = diagnostic
        self.progress = progress
    }

    public static var standard: SessionIO { SessionIO(
        write: { FileHandle.standardOutput.write(Data($0.utf8)) },
        diagnostic: { FileHandle.standardError.write(Data($0.utf8)) }) }
}

/// Where a chunk of text came from, for error locations.
public struct Origin: Sendable {
    /// The file name errors print (`FILE:LINE:COLUMN`); nil at an interactive prompt.
    public var file: String?
    /// Relative paths in the text resolve against this folder.
    public var folder: String

    public init(file: String?, folder: String) {
        self.file = file
        self.folder = folder
    }

    public static func interactive() -> Origin {
        Origin(file: nil, folder: FileManager.default.currentDirectoryPath)
    }
}

/// One REPL or script session: the bindings, the settings, the recording.
public final class Session {
    public let registry: PluginRegistry
    var io: SessionIO
    private(set) var bindings: [String: Value] = [:]
    private(set) var bindingOrder: [String] = []
    /// Each unbound name whose binding statement failed, and where that statement was (its file
    /// is nil at a prompt), so that a later use of it says why.
    private(set) var failedBindings: [String: (file: String?, line: Int)] = [:]
    /// The file of the chunk running now (nil at a prompt).
    private var file: String?
    public internal(set) var mode: OutputMode = .table
    var timer = false
    /// Statements without a seed draw one from this stream; the recording writes it down.
    var seedSource: Philox
    public private(set) var sessionSeed: UInt64
    var recorder: Recorder?
    /// The journal of an interactive session (nil in a script): every statement that succeeded,
    /// so that `.restore` in a later session replays a session that ended without `.quit`.
    public var journal: SessionJournal?
    /// Where journals are kept: `$XDG_STATE_HOME/synthlab/sessions` (nil without a home).
    public var journalFolder: String? = Session.stateFolder.map(SessionJournal.folder(state:))
    var redirect: OutputRedirect?
    /// The folder of the results store and of the tables trials read: `--workspace`, `.workspace`,
    /// or the user's data folder.
    public var workspace: String = Session.defaultWorkspace
    /// The `synthlab` program that worker processes run; nil when this process is not it.
    public var workerExecutable: String? = Session.currentExecutable
    /// Where `run` sends trials when it is not told: "workers", "inprocess" or "slurm".
    public var defaultExecutor = "workers"
    /// Slurm: trials per array task, and the partition (nil: the cluster's default).
    public var slurmTrialsPerTask = 2
    /// The Slurm client programs the slurm executor runs (and the environment they run with).
    public var slurmCommands = SlurmCommands()
    public var slurmPartition: String?

    public static var defaultWorkspace: String {
        let environment = ProcessEnvironment.current
        let data = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.local/share")
        return data + "/synthlab/workspace"
    }

    /// `$XDG_STATE_HOME/synthlab` (default `~/.local/state/synthlab`): the history and the
    /// session journals. Nil when neither variable gives an absolute folder.
    public static var stateFolder: String? {
        let environment = ProcessEnvironment.current
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/synthlab" }
        if let home = environment["HOME"], home.hasPrefix("/") { return home + "/.local/state/synthlab" }
        return nil
    }

    static var currentExecutable: String? {
        guard let path = Bundle.main.executablePath ?? CommandLine.arguments.first,
              (path as NSString).lastPathComponent == "synthlab" else { return nil }
        return path
    }

    /// True when cancellation was requested (Ctrl-C); polled between and inside trials.
    public var cancellationRequested: () -> Bool = { false }
    /// The folder relative paths resolve against while a chunk runs.
    var folder: String = FileManager.default.currentDirectoryPath
    /// Files being read by `.read`, to refuse a file that reads itself.
    var readStack: [String] = []
    public private(set) var quitRequested = false

    public init(registry: PluginRegistry, io: SessionIO = .standard, seed: UInt64 = 0) {
        self.registry = registry
        self.io = io
        sessionSeed = seed
        seedSource = Philox(seed: seed, stream: fnv1a("synthlab.session.seeds"))
    }

    /// Replaces where output, diagnostics and progress go.
    public func setIO(_ io: SessionIO) { self.io = io }

    func setSeed(_ seed: UInt64) {
        sessionSeed = seed
        seedSource = Philox(seed: seed, stream: fnv1a("synthlab.session.seeds"))
    }

    /// A fresh seed for a statement that gave none (below 2^31, so a script reads it easily).
    func drawSeed() -> UInt64 { seedSource.next() % 2_147_483_648 }

    // MARK: Bindings

    func bind(_ name: String, _ value: Value) {
        var value = value
        if case .table(var table) = value {
            table.name = name
            value = .table(table)
        }
        if bindings[name] == nil { bindingOrder.append(name) }
        bindings[name] = value
        failedBindings[name] = nil
    }

    func lookup(_ name: String) -> Value? { bindings[name] }

    func unbind(_ name: String) {
        bindings[name] = nil
        failedBindings[name] = nil
        bindingOrder.removeAll { $0 == name }
    }

    public var boundNames: [String] { bindingOrder }

    /// The column names of the tables bound now.
    var boundColumns: [String] {
        var seen = Set<String>(), names: [String] = []
        for name in bindingOrder {
            if case .table(let table)? = bindings[name] {
                for column in table.table.columnNames where seen.insert(column).inserted { names.append(column) }
            }
        }
        return names
    }

    func table(named name: String) -> TableValue? {
        if case .table(let table)? = bindings[name] { return table }
        return nil
    }

    // MARK: Running text

    /// Runs a script (several lines): each statement and shell command in turn. Errors are
    /// reported as `FILE:LINE:COLUMN: error: ...` (with a caret at a prompt). Returns false when
    /// any of them failed; with `bail`, stops at the first failure.
    @discardableResult
    public func runScript(_ text: String, origin: Origin, bail: Bool) -> Bool {
        var ok = true
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The text of an unfinished statement, and the line it starts on.
        var buffer: String?
        var bufferLine = 1
        for (index, line) in lines.enumerated() {
            let number = index + 1
            if let pending = buffer {
                buffer = pending + "\n" + line
            } else {
                buffer = line
                bufferLine = number
            }
            var pieces = Self.pieces(of: buffer!, firstLine: bufferLine)
            buffer = nil
            // An unfinished last statement waits for the next lines.
            if let last = pieces.last, index + 1 < lines.count, !ShellCommands.isCommand(last.text), Self.needsMoreLines(last.text) {
                buffer = last.text
                bufferLine = last.line
                pieces.removeLast()
            }
            for piece in pieces where !piece.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                if !runChunk(piece.text, firstLine: piece.line, origin: origin) {
                    ok = false
                    if bail { return false }
                }
                if quitRequested { return ok }
            }
        }
        return ok
    }

    /// Text cut at each `;` outside strings, brackets and comments. Each piece keeps its place:
    /// the line it starts on, and blanks before it standing for the text before it on that line.
    static func pieces(of text: String, firstLine: Int) -> [(text: String, line: Int)] {
        let characters = Array(text)
        var pieces: [(text: String, line: Int)] = []
        var start = 0, line = firstLine, startLine = firstLine, lineStart = 0, startColumn = 0
        var depth = 0, inString = false, escaped = false, inComment = false
        func cut(_ end: Int) {
            pieces.append((String(repeating: " ", count: startColumn) + String(characters[start..<end]), startLine))
        }
        for (offset, character) in characters.enumerated() {
            if character == "\n" {
                line += 1
                lineStart = offset + 1
                inComment = false
                inString = false
                continue
            }
            if inComment { continue }
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            switch character {
            case "\"": inString = true
            case "#": inComment = true
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            case ";" where depth <= 0:
                cut(offset)
                start = offset + 1
                startLine = line
                startColumn = start - lineStart
            default: break
            }
        }
        cut(characters.count)
        return pieces
    }

    /// True when `text` is the start of a statement that later lines may complete (an open
    /// bracket, a trailing `with` or `=`).
    public static func needsMoreLines(_ text: String) -> Bool {
        do {
            _ = try Parser.parse(text)
            return false
        } catch {
            return error.isIncomplete
        }
    }

    /// Runs one chunk: a shell command line, or one or more statements. Reports its own errors;
    /// returns false when it failed.
    @discardableResult
    public func runChunk(_ text: String, firstLine: Int = 1, origin: Origin) -> Bool {
        let saved = (folder, file)
        (folder, file) = (origin.folder, origin.file)
        defer { (folder, file) = saved }
        do {
            if ShellCommands.isCommand(text) {
                try ShellCommands.run(text, session: self, origin: origin, line: firstLine)
                return true
            }
            let statements = try Parser.parse(text, firstLine: firstLine)
            for statement in statements {
                try measure { () throws(ShellError) in try execute(statement) }
            }
            flushOnce()
            return true
        } catch {
            if !ShellCommands.isCommand(text) { flushOnce() }
            report(error, text: text, firstLine: firstLine, origin: origin)
            return false
        }
    }

    /// Prints an error: `FILE:LINE:COLUMN: error: ...` in a script, the line with a caret under
    /// the column at a prompt.
    func report(_ error: ShellError, text: String, firstLine: Int, origin: Origin) {
        if let file = origin.file {
            let place = error.location.map { "\(file):\($0.line):\($0.column)" } ?? "\(file):\(firstLine)"
            io.diagnostic("\(place): error: \(error.message)\n")
            return
        }
        var message = "error: \(error.message)\n"
        if let location = error.location {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let index = location.line - firstLine
            if index >= 0, index < lines.count {
                let line = String(lines[index])
                message += "  \(line)\n  " + String(repeating: " ", count: max(0, location.column - 1)) + "^\n"
            }
        }
        io.diagnostic(message)
    }

    private func measure(_ body: () throws(ShellError) -> Void) throws(ShellError) {
        guard timer else { return try body() }
        let start = Date()
        let workersBefore = Dictionary(modelWorkerPeaks().map { ($0.process, $0.peak) }, uniquingKeysWith: max)
        defer {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            var text = String(format: "Run Time: real %.3f s, peak memory %.1f MiB", Date().timeIntervalSince(start), Double(usage.ru_maxrss) / 1024)
            // A model's fit and samples run in its worker process: the peak of each bound model's
            // worker that started or grew in the statement (a trial's peak is in costs(results)).
            for (name, process, peak) in modelWorkerPeaks() where workersBefore[process].map({ peak > $0 }) ?? true {
                text += ", \(name)'s worker " + String(format: "%.1f MiB", peak)
            }
            io.diagnostic(text + "\n")
        }
        try body()
    }

    /// The peak memory of each bound model's worker process, with the model's name.
    private func modelWorkerPeaks() -> [(name: String, process: pid_t, peak: Double)] {
        bindingOrder.compactMap { name in
            guard case .model(let model)? = bindings[name], case .worker(let worker) = model.home, let peak = worker.peakMiB else { return nil }
            return (name, worker.processID, peak)
        }
    }

    /// Evaluates one statement, binds or shows its value, and records its canonical text.
    func execute(_ statement: Statement) throws(ShellError) {
        if let target = statement.target, Builtins.named(target) != nil {
            throw ShellError("'\(target)' is a built-in function; bind the value to another name", at: statement.targetLocation)
        }
        let evaluator = Evaluator(session: self)
        let result: Evaluated
        do {
            result = try evaluator.evaluate(statement.expression)
        } catch {
            if let target = statement.target, bindings[target] == nil {
                failedBindings[target] = (file, statement.location.line)
            }
            throw error
        }
        if let target = statement.target {
            bind(target, result.value)
        } else {
            show(result.value)
        }
        let canonical = Statement(target: statement.target, targetLocation: nil, expression: result.canonical,
                                  location: statement.location)
        recorder?.record(canonical)
        journal?.recorder.record(canonical)
    }

    // MARK: Output

    /// Writes result text to the current output (a redirection if one is active).
    func emit(_ text: String) {
        if let redirect { redirect.append(text) } else { io.write(text) }
    }

    func show(_ value: Value) {
        // A file that `.output` or `.once` writes keeps every table whole.
        let text = Display.render(value, mode: mode, width: redirect == nil ? io.width?() : nil)
        if !text.isEmpty { emit(text.hasSuffix("\n") ? text : text + "\n") }
    }

    private func flushOnce() {
        // `.once` lasts until the next statement line has run (shell commands do not use it up).
        guard let redirect, redirect.once else { return }
        self.redirect = nil
        if let problem = redirect.commit() { io.diagnostic("error: \(problem)\n") }
    }

    /// Ends the session: writes an open `.output` file, closes a recording, and deletes the
    /// journal (the session ended as it should).
    public func finish() {
        if let redirect, let problem = redirect.commit() { io.diagnostic("error: \(problem)\n") }
        redirect = nil
        recorder = nil
        journal?.discard()
        journal = nil
    }

    func requestQuit() { quitRequested = true }

    /// An absolute path for `path` typed in the current chunk.
    func resolve(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        return lexicalPath(expanded.hasPrefix("/") ? expanded : (folder as NSString).appendingPathComponent(expanded))
    }
}

/// Collects output for `.output FILE` or `.once FILE` and writes it atomically at the end.
final class OutputRedirect {
    let path: String
    let once: Bool
    private var text = ""

    init(path: String, once: Bool) {
        self.path = path
        self.once = once
    }

    func append(_ more: String) { text += more }

    /// Writes the file; returns a problem to report, or nil.
    func commit() -> String? {
        do {
            try AtomicFile.write(Data(text.utf8), to: path)
            return nil
        } catch {
            return ShellError.writeFailure(path, error, at: nil).message
        }
    }
}

/// Writes each successful statement to a script as it runs, so a crash loses nothing written.
final class Recorder {
    let path: String
    let handle: FileHandle
    /// Paths are written relative to this folder; nil: absolute.
    private let folder: String?

    init(path: String, header: String, relativePaths: Bool = true) throws(ShellError) {
        self.path = path
        folder = relativePaths ? (path as NSString).deletingLastPathComponent : nil
        do { try Synthesis.checkWritable(path) } catch { throw ShellError(error.description) }
        guard FileManager.default.createFile(atPath: path, contents: Data(header.utf8)),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw ShellError("cannot write the recording \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

    func record(_ statement: Statement) {
        write(statement.canonical(path: { path in self.folder.map { relativePath(path, from: $0) } ?? path }))
    }

    func write(_ line: String) {
        handle.write(Data((line + "\n").utf8))
        try? handle.synchronize()
    }
}

/// `path` without empty, `.` and `..` components, read as written: no link is followed (Foundation's
/// `standardizingPath` follows them, which turns `/dev/stdout` into the file standard output was
/// redirected to).
func lexicalPath(_ path: String) -> String {
    var parts: [Substring] = []
    for part in path.split(separator: "/") {
        switch part {
        case ".": continue
        case "..":
            if let last = parts.last, last != ".." { parts.removeLast() } else if !path.hasPrefix("/") { parts.append(part) }
        default: parts.append(part)
        }
    }
    let joined = parts.joined(separator: "/")
    return path.hasPrefix("/") ? "/" + joined : (joined.isEmpty ? "." : joined)
}

/// `path` relative to `folder` when it lies below a common ancestor other than `/`; otherwise
/// the absolute path.
func relativePath(_ path: String, from folder: String) -> String {
    let target = lexicalPath(path).split(separator: "/")
    let base = lexicalPath(folder).split(separator: "/")
    var common = 0
    while common < target.count, common < base.count, target[common] == base[common] { common += 1 }
    if common == 0 { return path }
    let ups = Array(repeating: "..", count: base.count - common)
    let rest = target[common...].map(String.init)
    let parts = ups + rest
    return parts.isEmpty ? "." : parts.joined(separator: "/")
}

extension ShellError {
    /// A failed write of `path`. An `AtomicFileError` already names its file (`path`, or the
    /// provenance record beside it), so it is given as it is.
    static func writeFailure(_ path: String, _ error: Error, at location: SourceLocation?) -> ShellError {
        if let error = error as? AtomicFileError { return ShellError(error.description, at: location) }
        return ShellError("cannot write \(path): \(error)", at: location)
    }
}
