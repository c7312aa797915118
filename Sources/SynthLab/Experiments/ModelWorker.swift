import Foundation
import SynthKit
#if canImport(Glibc)
import Glibc
#endif

/// One request to a model worker: a line of JSON on its stdin.
public struct ModelRequest: Codable, Sendable {
    public enum Operation: String, Codable, Sendable {
        /// Fit `generator` (composed with `privacy`) on the table at `path` (TableCodec) with `seed`.
        case fit
        /// Load the model file at `path` (its header was read by the session) with `seed`.
        case load
        /// Sample `rows` rows (given `column` = `value`, if set) into `path` (TableCodec), with
        /// `seed` for this request only when it is set (the model's own seed otherwise).
        case sample
        /// Make `rows` rows with a generator that simulates data: `generator`, `seed`, into `path`.
        case simulate
        /// Save the fitted model to the model file `path`.
        case save
    }

    public var operation: Operation
    public var generator: PluginSpec?
    public var privacy: PluginSpec?
    public var path: String?
    public var seed: UInt64?
    public var rows: Int?
    public var column: String?
    public var value: String?
    /// For fit: the rules the model keeps (joined by "; ") and whether it learns them.
    public var rules: String?
    public var learn: Bool?
    /// How many SIGINTs the session had sent the worker before this request: one more means
    /// "cancel this request", whenever it arrives (a late SIGINT meant for an earlier request
    /// cancels nothing).
    public var interruptsBefore = 0

    public init(_ operation: Operation, generator: PluginSpec? = nil, privacy: PluginSpec? = nil, path: String? = nil, seed: UInt64? = nil,
                rows: Int? = nil, condition: (column: String, value: String)? = nil) {
        self.operation = operation
        self.generator = generator
        self.privacy = privacy
        self.path = path
        self.seed = seed
        self.rows = rows
        column = condition?.column
        value = condition?.value
    }
}

/// A model worker's answer to one request: a line of JSON on its stdout.
public struct ModelReply: Codable, Sendable {
    /// Why the request failed, as an in-process call would say it.
    public var error: String?
    /// What the plugins logged while the request ran.
    public var log: [ValidationOutcome.LogLine] = []
    /// The generator and privacy instances, after fit, load and simulate.
    public var generator: Provenance.Plugin?
    public var privacy: Provenance.Plugin?
    /// What the composed privacy mechanism has spent so far.
    public var epsilon: Double?
    public var delta: Double?
    /// The rules the generator learned, after fit and load.
    public var learned: [String]?

    public init(error: String? = nil) { self.error = error }
}

/// A fitted model that lives in a `synthlab model-worker` process of its own, so that a generator
/// or privacy plugin that crashes or aborts while fitting or sampling ends that process, not the
/// session that asked. The worker keeps the model between calls (a model's sampler carries on
/// from one `sample` to the next, as in the session's own process); it ends when this object is
/// released or when the session's process does.
///
/// Requests and replies are single lines of JSON on the worker's stdin and stdout; tables travel
/// as `TableCodec` files in a private folder, read back bit for bit. The worker's stderr carries
/// `progress: ` lines (each epoch's losses) and anything a crash prints. Ctrl-C in the session
/// reaches the worker as SIGINT, which the plugin sees as a cancellation; a worker that does not
/// answer within `cancelGrace` seconds of it is killed.
public final class ModelWorker {
    public struct Options {
        public var executable: String
        public var environment: [String: String]
        public var cancelled: () -> Bool
        public var progress: (String?) -> Void
        public var log: (LogLevel, String) -> Void

        /// `progress` as a host's progress service, for one call of a plugin in this process: each
        /// report's line with the time left, on a clock of its own.
        public func hostProgress() -> (Double?, String?) -> Void {
            let clock = ProgressClock()
            return { [progress] fraction, message in
                if let text = clock.line(fraction, message) { progress(text) }
            }
        }

        public init(executable: String, environment: [String: String] = [:], cancelled: @escaping () -> Bool = { false },
                    progress: @escaping (String?) -> Void = { _ in }, log: @escaping (LogLevel, String) -> Void = { _, _ in }) {
            self.executable = executable
            self.environment = environment
            self.cancelled = cancelled
            self.progress = progress
            self.log = log
        }
    }

    public private(set) var generator: Provenance.Plugin
    public private(set) var privacy: Provenance.Plugin?
    /// What the composed privacy mechanism has spent (nil without privacy).
    public private(set) var spent: PrivacySpend?
    /// The rules the generator learned.
    public private(set) var learned: [String] = []
    /// The worker process.
    public var processID: pid_t { process.pid }
    /// The worker's peak resident memory so far in MiB (`VmHWM`), nil once it is gone or where
    /// the system does not say.
    public var peakMiB: Double? {
        guard !reaped, lost == nil, let status = try? String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = Double(line.dropFirst("VmHWM:".count).split(whereSeparator: \.isWhitespace).first ?? "") else { return nil }
        return kilobytes / 1024
    }
    /// How long a worker may take to stop after Ctrl-C before it is killed.
    public static let cancelGrace = 10.0

    private let process: SpawnedProcess
    private let folder: String
    private var options: Options
    /// The plugins in the worker, to name them when it dies: "generator 'ID'", and "with privacy 'ID'".
    private let label: String
    /// Why the worker is gone, once it is.
    private var lost: String?
    /// Whether the worker's exit status has been collected.
    private var reaped = false
    private var replyBuffer: [UInt8] = []
    private var output = WorkerOutput(prefix: "progress: ")
    private var exchanges = 0
    /// SIGINTs sent to the worker so far.
    private var interruptsSent = 0

    private init(generator id: String, privacy: String? = nil, options: Options) throws {
        label = "generator '\(id)'" + (privacy.map { " with privacy '\($0)'" } ?? "")
        self.options = options
        folder = NSTemporaryDirectory() + "/synthlab-model-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        do {
            process = try SpawnedProcess([options.executable, "model-worker", "--parent", String(getpid())],
                                         environment: options.environment, talks: true)
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        generator = Provenance.Plugin(id: id, version: "", parameters: [:])
    }

    deinit {
        close(process.requests)
        close(process.replies)
        close(process.errors)
        if !reaped {
            kill(process.pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(process.pid, &status, 0) < 0, errno == EINTR {}
        }
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Fits `generator` (composed with `privacy`) on `table` in a new worker, seeded with `seed`.
    /// With `keep`, the model keeps those rules, learning them with `learn` (`GeneratorSession.fit`).
    public static func fit(generator: PluginSpec, privacy: PluginSpec?, table: Table, seed: UInt64, keep rules: [ConstraintRule] = [], learn: Bool = true,
                           options: Options) throws -> ModelWorker {
        let worker = try ModelWorker(generator: generator.id, privacy: privacy?.id, options: options)
        let path = worker.folder + "/training.sltb"
        try TableFile.write(table, to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        var request = ModelRequest(.fit, generator: generator, privacy: privacy, path: path, seed: seed)
        request.rules = ConditionalSampling.describe(rules)
        request.learn = learn
        try worker.call(request, doing: "fit")
        return worker
    }

    /// Loads the model file at `path` (already read and checked by `SavedModel.read`) in a new worker.
    public static func load(_ saved: SavedModel, seed: UInt64, options: Options) throws -> ModelWorker {
        let worker = try ModelWorker(generator: saved.header.plugin, options: options)
        try worker.call(ModelRequest(.load, path: saved.path, seed: seed), doing: "load")
        return worker
    }

    /// `rows` rows from a generator that simulates data, made in a worker of their own.
    public static func simulate(generator: PluginSpec, rows: Int, seed: UInt64, options: Options) throws -> (Table, Provenance.Plugin) {
        let worker = try ModelWorker(generator: generator.id, options: options)
        let table = try worker.rows(ModelRequest(.simulate, generator: generator, seed: seed, rows: rows), doing: "sample")
        return (table, worker.generator)
    }

    /// `rows` rows from the model; with `condition`, rows whose categorical column has that category;
    /// with `seed`, the draws of that seed instead of the model's own.
    public func sample(rows: Int, where condition: (column: String, value: String)? = nil, seed: UInt64? = nil,
                       options: Options? = nil) throws -> Table {
        if let options { self.options = options }
        return try self.rows(ModelRequest(.sample, seed: seed, rows: rows, condition: condition), doing: "sample")
    }

    /// Writes the model to a model file (atomically, as `GeneratorSession.saveModel` does).
    public func save(to path: String, options: Options? = nil) throws {
        if let options { self.options = options }
        try call(ModelRequest(.save, path: path), doing: "save")
    }

    private func rows(_ request: ModelRequest, doing operation: String) throws -> Table {
        var request = request
        exchanges += 1
        let path = folder + "/rows-\(exchanges).sltb"
        request.path = path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try call(request, doing: operation)
        return try TableFile.read(path)
    }

    /// Sends `request`, forwards the worker's progress until its reply comes, and returns it; a
    /// reply with an error is thrown, as is the worker's death.
    @discardableResult
    private func call(_ request: ModelRequest, doing operation: String) throws -> ModelReply {
        if let lost { throw SynthLabError.invalidRequest("the model is gone: \(lost); fit it again") }
        var request = request
        request.interruptsBefore = interruptsSent
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = Array(try encoder.encode(request))
        line.append(0x0A)
        // A socket: a worker that died fails the send with EPIPE instead of raising SIGPIPE here,
        // and its exit status says why below.
        _ = writeAll(line) { send(process.requests, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        func accept(_ reply: ModelReply) throws -> ModelReply {
            for entry in reply.log { options.log(LogLevel(rawValue: entry.level) ?? .info, entry.message) }
            if let epsilon = reply.epsilon, let delta = reply.delta { spent = PrivacySpend(epsilon: epsilon, delta: delta) }
            if let generator = reply.generator { self.generator = generator }
            if let learned = reply.learned { self.learned = learned }
            if reply.privacy != nil { privacy = reply.privacy }
            if let error = reply.error { throw SynthLabError.invalidRequest(error) }
            return reply
        }
        var interrupted: Date?
        while true {
            if let reply = try readReply() { return try accept(reply) }
            if let progress = output.read(process.errors) { options.progress(progress) }
            var status: Int32 = 0
            let ended = waitpid(process.pid, &status, WNOHANG)
            if ended == process.pid {
                reaped = true
                lost = "its worker process ended"
                // The reply may have come just before the end.
                if let reply = try readReply() { return try accept(reply) }
                _ = output.read(process.errors)
                let said = workerSaid(output.other)
                if interrupted != nil {
                    lost = "its worker process was stopped by Ctrl-C"
                    throw SynthLabError.invalidRequest("cancelled")
                }
                if signalled(status) {
                    let signal = terminatingSignal(status)
                    lost = "its worker process crashed (signal \(signal))"
                    throw SynthLabError.invalidRequest("\(label) crashed its worker process in \(operation) (signal \(signal), \(signalName(signal)))\(said)")
                }
                lost = "its worker process exited (status \(exitStatus(status)))"
                throw SynthLabError.invalidRequest("the model worker of \(label) exited with status \(exitStatus(status)) in \(operation)\(said)")
            }
            if options.cancelled() {
                if interrupted == nil {
                    interrupted = Date()
                    interruptsSent += 1
                    kill(process.pid, SIGINT)
                } else if Date().timeIntervalSince(interrupted!) > Self.cancelGrace {
                    kill(process.pid, SIGKILL)
                    while waitpid(process.pid, &status, 0) < 0, errno == EINTR {}
                    reaped = true
                    lost = "its worker process was stopped by Ctrl-C"
                    throw SynthLabError.invalidRequest("cancelled")
                }
            }
            var fds = [pollfd(fd: process.replies, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: process.errors, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 20)
        }
    }

    /// The reply, once a whole line of it has come.
    private func readReply() throws -> ModelReply? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(process.replies, &buffer, buffer.count)
            if count > 0 { replyBuffer += buffer[0..<count]; continue }
            if count < 0, errno == EINTR { continue }
            break
        }
        guard let newline = replyBuffer.firstIndex(of: 0x0A) else { return nil }
        let line = Array(replyBuffer[..<newline])
        replyBuffer.removeSubrange(...newline)
        do { return try JSONDecoder().decode(ModelReply.self, from: Data(line)) } catch {
            lost = "its worker process answered out of turn"
            kill(process.pid, SIGKILL)
            throw SynthLabError.invalidRequest("the model worker of \(label) sent an unreadable reply: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
    }
}

/// Writes all of `bytes` with `write` (a write(2) or send(2) of a buffer), again after EINTR and
/// short writes; false when a write fails.
func writeAll(_ bytes: [UInt8], _ write: (UnsafeRawBufferPointer) -> Int) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let count = bytes[offset...].withUnsafeBytes(write)
        if count < 0, errno == EINTR { continue }
        if count <= 0 { return false }
        offset += count
    }
    return true
}

/// What a model worker process does: answers requests on stdin, one line each, until stdin ends.
/// The worker's stdout carries the replies only: whatever a plugin prints goes to stderr instead.
public enum ModelWorkerLoop {
    /// SIGINTs received, counted by the worker's handler; a plugin's `is_cancelled` compares it with
    /// the request's `interruptsBefore`.
    nonisolated(unsafe) static var interrupts: sig_atomic_t = 0

    public static func run(registry: PluginRegistry) -> Int32 {
        // The session starts the worker with SIGINT blocked, so one sent before this handler is
        // in place waits for it instead of ending the process.
        signal(SIGINT) { _ in ModelWorkerLoop.interrupts += 1 }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGINT)
        sigprocmask(SIG_UNBLOCK, &unblock, nil)
        let replies = dup(1)
        guard replies >= 0, dup2(2, 1) >= 0 else { return 3 }
        _ = fcntl(replies, F_SETFD, FD_CLOEXEC)
        var model: GeneratorSession?
        var seed: UInt64 = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        while let line = readLine(strippingNewline: true) {
            var before: sig_atomic_t = .max
            var log: [ValidationOutcome.LogLine] = []
            var reply = ModelReply()
            do {
                let request = try JSONDecoder().decode(ModelRequest.self, from: Data(line.utf8))
                before = sig_atomic_t(request.interruptsBefore)
                // A sample's seed is for its own rows; the model keeps the seed it was fitted or
                // loaded with (a saved model records it).
                if let given = request.seed, request.operation != .sample { seed = given }
                // Each report's line, with the time this request has left at its pace so far.
                let clock = ProgressClock()
                let host = HostServices(seed: request.seed ?? seed, log: { level, message in log.append(.init(level: level.rawValue, message: message)) },
                                        progress: { fraction, message in
                                            guard let text = clock.line(fraction, message) else { return }
                                            FileHandle.standardError.write(Data("progress: \(text)\n".utf8))
                                        })
                host.cancellationCheck = { ModelWorkerLoop.interrupts > before }
                model = try perform(request, model: model, registry: registry, host: host, reply: &reply)
            } catch {
                reply.error = interrupts > before ? "cancelled" : String(describing: error)
            }
            reply.log = log
            guard var data = try? encoder.encode(reply) else { return 4 }
            data.append(0x0A)
            if !writeAll(Array(data), { write(replies, $0.baseAddress, $0.count) }) { return 5 }
        }
        return 0
    }

    /// Carries out one request; returns the model the worker holds afterwards.
    static func perform(_ request: ModelRequest, model: GeneratorSession?, registry: PluginRegistry, host: HostServices,
                        reply: inout ModelReply) throws -> GeneratorSession? {
        func fitted() throws -> GeneratorSession {
            guard let model else { throw SynthLabError.invalidRequest("the model worker holds no model") }
            return model
        }
        func write(_ rows: Table) throws {
            guard let path = request.path else { throw SynthLabError.invalidRequest("no file for the rows") }
            try TableFile.write(rows, to: path)
        }
        func describe(_ session: GeneratorSession) {
            reply.generator = Provenance.Plugin(session.generator)
            reply.privacy = session.privacy.map(Provenance.Plugin.init)
            if let spent = session.privacySpent { (reply.epsilon, reply.delta) = (spent.epsilon, spent.delta) }
            reply.learned = session.learnedRules
        }
        switch request.operation {
        case .fit, .simulate:
            guard let spec = request.generator else { throw SynthLabError.invalidRequest("no generator to \(request.operation.rawValue)") }
            let generator = try spec.instantiate(registry, kind: .generator, host: host)
            let privacy = try request.privacy.map { try $0.instantiate(registry, kind: .privacy, host: host) }
            let session = try GeneratorSession(generator: generator, privacy: privacy)
            if request.operation == .fit {
                try session.fit(try TableFile.read(request.path ?? ""), host: host, keep: try ConditionalSampling.rules(request.rules),
                                learn: request.learn ?? true)
            } else {
                try write(try session.sample(rows: request.rows ?? 0, host: host))
            }
            describe(session)
            return session
        case .load:
            let session = try GeneratorSession.loadModel(from: request.path ?? "", registry: registry, host: host)
            describe(session)
            return session
        case .sample:
            let session = try fitted()
            let condition = request.column.map { ($0, request.value ?? "") }
            try write(try session.sample(rows: request.rows ?? 0, where: condition, host: host))
            return session
        case .save:
            try fitted().saveModel(to: request.path ?? "", host: host)
            return model
        }
    }
}
