import Foundation
import GRDB
import SynthKit

/// A workspace's results: one SQLite file, one row per finished trial (keyed by the trial's
/// identity, so a trial is never stored twice) and its metrics, each trial committed in one
/// transaction as it finishes. After a crash or `kill -9` the file holds every trial that
/// finished, and nothing half-written.
public final class ResultStore: @unchecked Sendable {
    public static let fileName = "synthlab-results.sqlite"
    public let path: String
    private let queue: DatabaseQueue

    /// Makes the folder `workspace` (and its missing parents), or says in words why it cannot be
    /// one: a file is in the way, or a folder cannot be written.
    public static func prepare(workspace: String) throws(SynthLabError) {
        func refuse(_ why: String) -> SynthLabError { .invalidRequest("cannot use \(workspace) as the workspace: \(why)") }
        // The nearest part of the path that exists must be a folder this process may write.
        var existing = (workspace as NSString).standardizingPath
        var info = stat()
        while stat(existing, &info) != 0 {
            guard errno == ENOENT || errno == ENOTDIR, existing != "/", !existing.isEmpty else { throw refuse(String(cString: strerror(errno))) }
            existing = (existing as NSString).deletingLastPathComponent
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw refuse(existing == (workspace as NSString).standardizingPath ? "it is a file, not a folder" : "\(existing) is a file, not a folder")
        }
        guard access(existing, W_OK | X_OK) == 0 else { throw refuse("\(existing) is not writable (\(String(cString: strerror(errno))))") }
        // Each missing folder from there down, with the system's reason when one cannot be made
        // (/proc takes no new folder, though it is writable).
        let target = (workspace as NSString).standardizingPath
        var missing: [String] = []
        var folder = target
        while folder != existing, !folder.isEmpty {
            missing.append(folder)
            folder = (folder as NSString).deletingLastPathComponent
        }
        for folder in missing.reversed() where mkdir(folder, 0o755) != 0 && errno != EEXIST {
            throw refuse("cannot make the folder \(folder) (\(String(cString: strerror(errno))))")
        }
    }

    /// Opens (or creates) the store of `workspace`, a folder.
    public init(workspace: String) throws {
        try Self.prepare(workspace: workspace)
        path = workspace + "/" + Self.fileName
        // Sessions started together may all find the store new. Creating its tables is one
        // process's job: hold the workspace folder's lock while migrating, so the others wait
        // and then find the tables made. (Where the file system refuses the lock, go on without.)
        let lock = open(workspace, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if lock >= 0 { while flock(lock, LOCK_EX) != 0, errno == EINTR {} }
        defer { if lock >= 0 { close(lock) } }
        do {
            var configuration = Configuration()
            configuration.foreignKeysEnabled = true
            // Other processes may read the store while a run writes it (a second session, a user
            // looking at progress): wait for a lock instead of failing, and let readers read
            // beside the writer (write-ahead log).
            configuration.busyMode = .timeout(60)
            configuration.prepareDatabase { db in
                if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                    try db.execute(sql: "PRAGMA journal_mode = WAL")
                }
            }
            queue = try DatabaseQueue(path: path, configuration: configuration)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.execute(sql: """
                    CREATE TABLE trials (
                        key TEXT PRIMARY KEY NOT NULL,
                        table_name TEXT NOT NULL,
                        table_sha256 TEXT NOT NULL,
                        generator TEXT NOT NULL,
                        seed INTEGER NOT NULL,
                        spec TEXT NOT NULL,
                        status TEXT NOT NULL,
                        error TEXT,
                        fit_seconds REAL, sample_seconds REAL, validate_seconds REAL, peak_mib REAL,
                        epsilon REAL, delta REAL,
                        loss_history TEXT NOT NULL,
                        plugins TEXT NOT NULL,
                        finished_at TEXT NOT NULL
                    );
                    CREATE TABLE metrics (
                        trial_key TEXT NOT NULL REFERENCES trials(key) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        validator TEXT NOT NULL,
                        metric TEXT NOT NULL,
                        column_name TEXT,
                        value REAL,
                        goal TEXT NOT NULL,
                        min REAL, max REAL,
                        not_applicable TEXT,
                        PRIMARY KEY (trial_key, position)
                    );
                    """)
            }
            migrator.registerMigration("v2: plugin log") { db in
                try db.execute(sql: "ALTER TABLE trials ADD COLUMN log TEXT NOT NULL DEFAULT '[]'")
            }
            migrator.registerMigration("v3: nearest goals") { db in
                try db.execute(sql: "ALTER TABLE metrics ADD COLUMN target REAL")
            }
            try migrator.migrate(queue)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT {
            // Left as it is: it may be a store damaged by something else, or another file under this name.
            let what = error.resultCode == .SQLITE_NOTADB ? "it is not an SQLite database" : "the database is damaged"
            throw SynthLabError.invalidRequest("\(path): cannot open the results store: \(what) (\(error.message ?? "SQLite error \(error.resultCode.rawValue)")); "
                                               + "move it out of the workspace, or choose another workspace, and a new store is made")
        } catch {
            throw SynthLabError.invalidRequest("\(path): cannot open the results store: \(error)")
        }
    }

    /// Commits one finished trial (replacing an earlier outcome of the same trial).
    public func record(_ spec: TrialSpec, _ outcome: TrialOutcome) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ value: T) throws -> String { String(decoding: try encoder.encode(value), as: UTF8.self) }
        let specText = try json(spec), losses = try json(outcome.lossHistory), plugins = try json(outcome.plugins), log = try json(outcome.log)
        let finished = ISO8601DateFormatter().string(from: Date())
        do {
            try queue.write { db in
                try db.execute(sql: "DELETE FROM trials WHERE key = ?", arguments: [outcome.key])
                try db.execute(sql: """
                    INSERT INTO trials (key, table_name, table_sha256, generator, seed, spec, status, error, fit_seconds,
                        sample_seconds, validate_seconds, peak_mib, epsilon, delta, loss_history, plugins, finished_at, log)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [outcome.key, spec.table.name, spec.table.sha256, spec.label, Int64(bitPattern: spec.seed), specText,
                                     outcome.status.rawValue, outcome.error, outcome.fitSeconds, outcome.sampleSeconds,
                                     outcome.validateSeconds, outcome.peakMiB, outcome.epsilon, outcome.delta, losses, plugins, finished, log])
                for (position, metric) in outcome.metrics.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO metrics (trial_key, position, validator, metric, column_name, value, goal, target, min, max, not_applicable)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [outcome.key, position, metric.validator, metric.metric, metric.column, metric.value,
                                         metric.goal.name, metric.goal.target, metric.min, metric.max, metric.notApplicable])
                }
            }
        } catch {
            throw SynthLabError.invalidRequest("\(path): cannot record trial \(outcome.key.prefix(12)): \(error)")
        }
    }

    /// The stored outcome of a trial, if it has one.
    public func outcome(forKey key: String) throws -> TrialOutcome? {
        do {
            return try queue.read { db -> TrialOutcome? in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM trials WHERE key = ?", arguments: [key]) else { return nil }
                let metricRows = try Row.fetchAll(db, sql: "SELECT * FROM metrics WHERE trial_key = ? ORDER BY position", arguments: [key])
                let decoder = JSONDecoder()
                let metrics = metricRows.map { m in
                    MetricRecord(validator: m["validator"], metric: m["metric"], column: m["column_name"], value: m["value"],
                                 goal: MetricGoal(name: m["goal"], target: m["target"]) ?? .none, min: m["min"], max: m["max"],
                                 notApplicable: m["not_applicable"])
                }
                let losses = (try? decoder.decode([String].self, from: Data((row["loss_history"] as String).utf8))) ?? []
                let plugins = (try? decoder.decode([TrialOutcome.PluginVersion].self, from: Data((row["plugins"] as String).utf8))) ?? []
                let log = (try? decoder.decode([String].self, from: Data((row["log"] as String).utf8))) ?? []
                return TrialOutcome(key: key, status: TrialOutcome.Status(rawValue: row["status"]) ?? .failed, error: row["error"],
                                    metrics: metrics, fitSeconds: row["fit_seconds"], sampleSeconds: row["sample_seconds"],
                                    validateSeconds: row["validate_seconds"], peakMiB: row["peak_mib"], epsilon: row["epsilon"],
                                    delta: row["delta"], lossHistory: losses, plugins: plugins, log: log)
            }
        } catch {
            throw SynthLabError.invalidRequest("\(path): cannot read the results store: \(error)")
        }
    }

    /// The keys of every stored trial.
    public func keys() throws -> Set<String> {
        do {
            return try queue.read { db in Set(try String.fetchAll(db, sql: "SELECT key FROM trials")) }
        } catch {
            throw SynthLabError.invalidRequest("\(path): cannot read the results store: \(error)")
        }
    }

    /// How many trials the store holds.
    public func trialCount() throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM trials") ?? 0 }
    }
}
