import Foundation
import SynthKit

/// Validators to run over tables in a worker process (`synthlab validate-worker`), so that a
/// validator that crashes or aborts takes down that process only. The tables are files written
/// by `TableCodec`, read back bit for bit: the metrics are the ones an in-process run gives.
public struct ValidationJob: Codable, Sendable {
    public var real: String
    public var synthetic: String
    public var holdout: String?
    public var target: String?
    public var validators: [PluginSpec]
    public var seed: UInt64

    /// Runs the job in this process: what the worker does.
    public func run(registry: PluginRegistry, announce: (String) -> Void = { _ in }) throws -> ValidationOutcome {
        let real = try TableFile.read(real), synthetic = try TableFile.read(synthetic)
        let holdout = try holdout.map(TableFile.read)
        var log: [ValidationOutcome.LogLine] = []
        let host = HostServices(seed: seed, log: { level, message in log.append(.init(level: level.rawValue, message: message)) })
        var metrics: [MetricRecord] = []
        for validator in validators {
            announce(validator.id)
            let instance = try validator.instantiate(registry, kind: .validator, host: host)
            metrics += try Validating.run(instance, real: real, synthetic: synthetic, holdout: holdout, target: target, host: host)
                .map(MetricRecord.init)
        }
        return ValidationOutcome(metrics: metrics, log: log)
    }
}

/// What a validation worker reports: the metrics, the plugins' log lines, or why it failed.
public struct ValidationOutcome: Codable, Sendable {
    public struct LogLine: Codable, Sendable {
        public var level: Int
        public var message: String
    }

    public var metrics: [MetricRecord]
    public var log: [LogLine]
    public var error: String?

    public init(metrics: [MetricRecord], log: [LogLine], error: String? = nil) {
        self.metrics = metrics
        self.log = log
        self.error = error
    }

    public var results: [MetricResult] { metrics.map(\.result) }
}

public enum ValidationWorker {
    /// Runs `validators` over the tables in a `synthlab validate-worker` process started from
    /// `executable`, and waits for it. A worker that dies is an error naming the validator it was
    /// running and the signal; `cancelled` stops it.
    public static func run(real: Table, synthetic: Table, holdout: Table?, target: String?, validators: [PluginSpec],
                           seed: UInt64, executable: String, environment: [String: String],
                           cancelled: () -> Bool) throws -> ValidationOutcome {
        let folder = NSTemporaryDirectory() + "/synthlab-validate-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func write(_ table: Table, _ name: String) throws -> String {
            let path = folder + "/" + name + ".sltb"
            try TableFile.write(table, to: path)
            return path
        }
        let job = ValidationJob(real: try write(real, "real"), synthetic: try write(synthetic, "synthetic"),
                                holdout: try holdout.map { try write($0, "holdout") }, target: target,
                                validators: validators, seed: seed)
        let jobPath = folder + "/job.json", outPath = folder + "/outcome.json"
        try JSONEncoder().encode(job).write(to: URL(fileURLWithPath: jobPath))
        let (pid, errorFD) = try spawnWorker([executable, "validate-worker", "--job", jobPath, "--out", outPath,
                                              "--parent", String(getpid())], environment: environment)
        defer { close(errorFD) }
        // The worker writes "validating: ID" before each validator.
        var output = WorkerOutput(prefix: "validating: ")
        var running: String?
        func drain() { if let id = output.read(errorFD) { running = id } }
        var status: Int32 = 0
        while true {
            let reaped = waitpid(pid, &status, WNOHANG)
            if reaped == pid { break }
            if reaped < 0, errno != EINTR { throw SynthLabError.invalidRequest("lost the validation worker: \(String(cString: strerror(errno)))") }
            drain()
            if cancelled() {
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0, errno == EINTR {}
                throw SynthLabError.invalidRequest("cancelled")
            }
            usleep(5_000)
        }
        drain()
        let last = workerSaid(output.other)
        if signalled(status) {
            let signal = terminatingSignal(status)
            let who = running.map { "validator '\($0)'" } ?? "the validation worker"
            throw SynthLabError.invalidRequest("\(who) crashed its worker process (signal \(signal), \(signalName(signal)))\(last)")
        }
        guard exitedNormally(status), let data = FileManager.default.contents(atPath: outPath),
              let outcome = try? JSONDecoder().decode(ValidationOutcome.self, from: data) else {
            throw SynthLabError.invalidRequest("the validation worker exited with status \(exitStatus(status)) and no result\(last)")
        }
        if let error = outcome.error { throw SynthLabError.invalidRequest(error) }
        return outcome
    }
}
