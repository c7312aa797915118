import Foundation
import SynthMath
#if canImport(Glibc)
import Glibc
#endif

/// Where trials run. An executor runs the trials it is given, calls `finished` once per trial as
/// soon as that trial is over (done or failed, in any order), and stops starting new trials when
/// `cancelled` turns true.
public protocol TrialExecutor {
    func run(_ trials: [TrialSpec], registry: PluginRegistry, cancelled: @escaping () -> Bool,
             progress: @escaping (String) -> Void, finished: (TrialSpec, TrialOutcome) throws -> Void) throws
}

/// Trials one after another in this process: for debugging, and where no worker can start.
public struct InProcessExecutor: TrialExecutor {
    public init() {}

    public func run(_ trials: [TrialSpec], registry: PluginRegistry, cancelled: @escaping () -> Bool,
                    progress: @escaping (String) -> Void, finished: (TrialSpec, TrialOutcome) throws -> Void) throws {
        for spec in trials {
            if cancelled() { return }
            let outcome: TrialOutcome
            do {
                outcome = try TrialRunner.run(spec, registry: registry, cancelled: cancelled, progress: { progress("\(spec.progressName()): \($0)") })
            } catch {
                if cancelled() { return }
                outcome = .failure(spec.key, String(describing: error))
            }
            try finished(spec, outcome)
        }
    }
}

/// Trials in `synthlab worker` processes, as many at once as `workers` (the cores by default),
/// each started with posix_spawn and reaped with wait4 (which also gives its peak memory). A
/// worker that dies (a plugin that aborts, a crash) or outlives `timeout` fails only its own trial.
public struct WorkerExecutor: TrialExecutor {
    public var executable: String
    public var workers: Int
    public var timeout: Double?
    /// Where spec and outcome files go while trials run.
    public var scratch: String
    /// Extra environment for the workers (the plugin search path, for one).
    public var environment: [String: String]

    public init(executable: String, workers: Int = ProcessInfo.processInfo.activeProcessorCount, timeout: Double? = nil,
                scratch: String = NSTemporaryDirectory(), environment: [String: String] = [:]) {
        self.executable = executable
        self.workers = max(1, workers)
        self.timeout = timeout
        self.scratch = scratch
        self.environment = environment
    }

    struct Running {
        var spec: TrialSpec
        var pid: pid_t
        var started: Date
        var outcomePath: String
        var specPath: String
        var killedForTime = false
        /// The read end of the worker's stderr, where it writes its progress lines.
        var progressFD: Int32
        var output = WorkerOutput(prefix: "progress: ")
    }

    public func run(_ trials: [TrialSpec], registry: PluginRegistry, cancelled: @escaping () -> Bool,
                    progress: @escaping (String) -> Void, finished: (TrialSpec, TrialOutcome) throws -> Void) throws {
        let folder = scratch + "/synthlab-trials-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var pending = trials[...]
        var running: [pid_t: Running] = [:]
        defer {
            // Leaving early (cancelled, or an error recording a result): stop every worker.
            for (pid, trial) in running {
                kill(pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                close(trial.progressFD)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        while !pending.isEmpty || !running.isEmpty {
            while running.count < workers, let spec = pending.first, !cancelled() {
                pending.removeFirst()
                let index = trials.count - pending.count
                let specPath = folder + "/\(index).spec.json", outcomePath = folder + "/\(index).outcome.json"
                try encoder.encode(spec).write(to: URL(fileURLWithPath: specPath))
                let (pid, progressFD) = try spawnWorker([executable, "worker", "--spec", specPath, "--out", outcomePath, "--parent", String(getpid())],
                                                         environment: environment)
                running[pid] = Running(spec: spec, pid: pid, started: Date(), outcomePath: outcomePath, specPath: specPath,
                                       progressFD: progressFD)
            }
            if cancelled() { return }
            // Reap only our own workers (waiting for any child would steal the exit status of
            // children that other code in this process started).
            var status: Int32 = 0
            var usage = rusage()
            var pid: pid_t = 0
            for candidate in running.keys {
                let reaped = wait4(candidate, &status, WNOHANG, &usage)
                if reaped == candidate { pid = candidate; break }
            }
            if pid <= 0 {
                // Forward the newest progress line of each worker.
                for key in running.keys {
                    if let line = running[key]!.output.read(running[key]!.progressFD) { progress("\(running[key]!.spec.progressName()): \(line)") }
                }
                if let timeout {
                    for (pid, trial) in running where !trial.killedForTime && Date().timeIntervalSince(trial.started) > timeout {
                        kill(pid, SIGKILL)
                        running[pid]?.killedForTime = true
                    }
                }
                usleep(20_000)
                continue
            }
            guard var trial = running.removeValue(forKey: pid) else { continue }
            _ = trial.output.read(trial.progressFD)
            close(trial.progressFD)
            let said = workerSaid(trial.output.other)
            let peak = Double(usage.ru_maxrss) / 1024
            var outcome: TrialOutcome
            if trial.killedForTime {
                outcome = .failure(trial.spec.key, "timed out after \(formatSeconds(timeout ?? 0)) (the worker was killed)")
            } else if exitedNormally(status), let data = FileManager.default.contents(atPath: trial.outcomePath),
                      let decoded = try? JSONDecoder().decode(TrialOutcome.self, from: data) {
                outcome = decoded
            } else if signalled(status) {
                outcome = .failure(trial.spec.key, "the worker died of signal \(terminatingSignal(status)) (\(signalName(terminatingSignal(status))))\(said)")
            } else {
                outcome = .failure(trial.spec.key, "the worker exited with status \(exitStatus(status)) and no result\(said)")
            }
            if outcome.status == .done { outcome.peakMiB = peak }
            try? FileManager.default.removeItem(atPath: trial.specPath)
            try? FileManager.default.removeItem(atPath: trial.outcomePath)
            try finished(trial.spec, outcome)
        }
    }
}

/// What a worker writes on its stderr pipe: lines that start with `prefix` are its reports (the
/// runner shows the newest); anything else (a crash message, say) is kept, its last 2000
/// characters, to say why a worker failed.
struct WorkerOutput {
    let prefix: String
    private var pending = ""
    private(set) var other = ""

    init(prefix: String) { self.prefix = prefix }

    /// Reads what `descriptor` (non-blocking) holds now; returns the newest complete report line
    /// without its prefix, if any came.
    mutating func read(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            pending += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        var latest: String?
        while let newline = pending.firstIndex(of: "\n") {
            let line = String(pending[..<newline])
            pending.removeSubrange(...newline)
            if line.hasPrefix(prefix) {
                latest = String(line.dropFirst(prefix.count))
            } else if !line.isEmpty {
                other = String((other + line + "\n").suffix(2000))
            }
        }
        return latest
    }
}

/// Starts a worker (`arguments[0]` with the rest) with its stdout on /dev/null and its stderr on a
/// pipe; returns its pid and the pipe's read end (non-blocking). `extra` is added to this
/// process's environment, and OPENBLAS_NUM_THREADS is 1.
func spawnWorker(_ arguments: [String], environment extra: [String: String]) throws -> (pid_t, Int32) {
    let process = try SpawnedProcess(arguments, environment: extra, talks: false)
    return (process.pid, process.errors)
}

/// A worker process started with posix_spawn: its stderr on a pipe whose read end is `errors`
/// (non-blocking). A worker that `talks` also has its stdin on a socket (`requests`, the session's
/// end) and its stdout on a pipe (`replies`, the read end, non-blocking), and runs in a process
/// group of its own, so that the terminal's Ctrl-C reaches the session only and the session
/// decides what to pass on. Other workers write nothing useful on stdout, which goes to /dev/null.
struct SpawnedProcess {
    let pid: pid_t
    let errors: Int32
    let requests: Int32
    let replies: Int32

    init(_ arguments: [String], environment extra: [String: String], talks: Bool) throws {
        var environment = ProcessEnvironment.current
        for (key, value) in extra { environment[key] = value }
        environment["OPENBLAS_NUM_THREADS"] = "1"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        // [read, write] of stderr, stdin and stdout; the session's ends are close-on-exec. Stdin
        // is a socket pair, [worker's end, session's end], so that the session writes to a worker
        // that died with send(MSG_NOSIGNAL) and gets EPIPE, not a SIGPIPE that would end it.
        var pipes: [[Int32]] = []
        for index in 0..<(talks ? 3 : 1) {
            var fds: [Int32] = [0, 0]
            let made = index == 1 ? socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) : pipe(&fds)
            guard made == 0 else {
                let reason = String(cString: strerror(errno))
                pipes.flatMap { $0 }.forEach { close($0) }
                throw SynthLabError.invalidRequest("cannot make a pipe for a worker: \(reason)")
            }
            pipes.append(fds)
        }
        let sessionEnds = talks ? [pipes[0][0], pipes[1][1], pipes[2][0]] : [pipes[0][0]]
        let workerEnds = talks ? [pipes[0][1], pipes[1][0], pipes[2][1]] : [pipes[0][1]]
        for fd in sessionEnds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        for fd in [pipes[0][0]] + (talks ? [pipes[2][0]] : []) { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if talks {
            posix_spawn_file_actions_adddup2(&actions, pipes[1][0], 0)
            posix_spawn_file_actions_adddup2(&actions, pipes[2][1], 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, pipes[0][1], 2)
        for fd in workerEnds { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the session may ignore are default again in the worker.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        sigaddset(&defaults, SIGINT)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = Int16(POSIX_SPAWN_SETSIGDEF)
        if talks {
            flags |= Int16(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
            // SIGINT is how the session cancels a request: blocked until the worker's handler is in place.
            var blocked = sigset_t()
            sigemptyset(&blocked)
            sigaddset(&blocked, SIGINT)
            posix_spawnattr_setsigmask(&attributes, &blocked)
            flags |= Int16(POSIX_SPAWN_SETSIGMASK)
        }
        posix_spawnattr_setflags(&attributes, flags)
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        for fd in workerEnds { close(fd) }
        guard result == 0 else {
            for fd in sessionEnds { close(fd) }
            throw SynthLabError.invalidRequest("cannot start a worker (\(arguments[0])): \(String(cString: strerror(result)))")
        }
        self.pid = pid
        errors = sessionEnds[0]
        requests = talks ? sessionEnds[1] : -1
        replies = talks ? sessionEnds[2] : -1
    }
}

/// What a worker that failed wrote that says why, as ": LINE", or "": the Swift runtime's
/// fatal error (an index out of range, a failed precondition), else the last line that is not
/// part of a crash backtrace.
func workerSaid(_ output: String) -> String {
    let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    if let fatal = lines.first(where: { $0.contains("Fatal error") || $0.contains("Precondition failed") || $0.contains("Assertion failed") }) {
        return ": " + fatal.trimmingCharacters(in: CharacterSet(charactersIn: "* "))
    }
    let backtrace = ["***", "💣", "Backtrace took", "Platform:", "Thread ", "Registers:", "Images", "Press space", "...", "0x"]
    let crashed = lines.contains { $0.hasPrefix("*** Program crashed") || $0.hasPrefix("💣 Program crashed") }
    guard !crashed, let last = lines.last(where: { line in !backtrace.contains(where: { line.hasPrefix($0) }) }) else { return "" }
    return ": " + last
}

func exitedNormally(_ status: Int32) -> Bool { (status & 0x7f) == 0 && ((status >> 8) & 0xff) == 0 }
func signalled(_ status: Int32) -> Bool { (status & 0x7f) != 0 && (status & 0x7f) != 0x7f }
func terminatingSignal(_ status: Int32) -> Int32 { status & 0x7f }
func exitStatus(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

func signalName(_ signal: Int32) -> String {
    switch signal {
    case SIGABRT: "SIGABRT: a plugin aborted"
    case SIGSEGV: "SIGSEGV: a crash"
    case SIGKILL: "SIGKILL"
    case SIGBUS: "SIGBUS"
    case SIGILL: "SIGILL: a failed precondition"
    case SIGTRAP: "SIGTRAP: a failed precondition"
    case SIGFPE: "SIGFPE"
    default: "signal \(signal)"
    }
}

func formatSeconds(_ seconds: Double) -> String { String(format: "%.0f s", seconds) }
