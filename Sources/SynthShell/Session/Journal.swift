import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The journal of an interactive session: a script of every statement that succeeded, in the
/// canonical form `.record` writes (seeds written out, paths absolute), kept in
/// `$XDG_STATE_HOME/synthlab/sessions/`. The session holds an exclusive `flock` on its journal
/// while it runs and deletes it when it ends as it should (`.quit`, Ctrl-D). A journal that is
/// still there and not locked belongs to a session that crashed, was killed or lost its terminal:
/// `.restore` in a later session replays it.
public final class SessionJournal {
    public let path: String
    let recorder: Recorder

    /// The journals' folder under a state folder (`Session.stateFolder`).
    public static func folder(state: String) -> String { state + "/sessions" }

    /// Starts a journal in `folder` (made if missing) for a session working in `workingFolder`.
    public init(folder: String, workingFolder: String, date: Date = Date()) throws(ShellError) {
        if let problem = Self.makeFolder(folder) {
            throw ShellError("cannot make the folder of session journals \(folder): \(problem)")
        }
        // The process in the name keeps sessions of different processes apart; a number after it,
        // sessions of one process started within the same second.
        let base = folder + "/\(Self.stamp.string(from: date))-\(getpid())"
        var path = base + ".synth", number = 1
        while FileManager.default.fileExists(atPath: path) || FileManager.default.fileExists(atPath: path + ".partial") {
            number += 1
            path = base + "-\(number).synth"
        }
        self.path = path
        // Written under another name until it is locked, so that no other session takes a journal
        // being born for an abandoned one.
        let partial = path + ".partial"
        let header = """
            # synthlab session journal: the statements of the session started \(ISO8601DateFormatter().string(from: date))
            # by process \(getpid()) in \(workingFolder).
            # It is deleted when that session ends with .quit or Ctrl-D; if it is still here, the session
            # ended otherwise, and .restore in a new session replays it.

            """
        recorder = try Recorder(path: partial, header: header, relativePaths: false)
        // Worker processes must not inherit the lock: it would outlive this session.
        _ = fcntl(recorder.handle.fileDescriptor, F_SETFD, FD_CLOEXEC)
        guard flock(recorder.handle.fileDescriptor, LOCK_EX | LOCK_NB) == 0, rename(partial, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial)
            throw ShellError("cannot start the session journal \(path): \(reason)")
        }
    }

    /// Makes `folder` and the folders above it that are missing (mode 0700); returns what went
    /// wrong (errno's reason), or nil.
    static func makeFolder(_ folder: String) -> String? {
        var path = ""
        for part in folder.split(separator: "/") {
            path += "/" + part
            if mkdir(path, 0o700) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                return "\(path): " + reason.prefix(1).lowercased() + reason.dropFirst()
            }
        }
        var info = stat()
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return "it is not a folder" }
        return nil
    }

    /// Deletes the journal: the session ended as it should. The file goes before its lock does,
    /// so no other session ever sees it unlocked.
    public func discard() {
        unlink(path)
        try? recorder.handle.close()
    }

    /// The journal's open descriptor, which holds its lock (a crash handler may close it).
    public var descriptor: Int32 { recorder.handle.fileDescriptor }

    /// Writes a shell command that changes how later statements run (`.mode`, `.workspace`).
    func write(_ line: String) { recorder.write(line) }

    private static let stamp: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return formatter
    }()

    /// A journal left by a session that did not end as it should.
    public struct Unfinished: Sendable, Equatable {
        public var path: String
        /// When its session started (from the file's name) and when it last wrote a statement.
        public var started: Date?
        public var lastWritten: Date?
        public var process: Int?
        /// Its statements (the lines that are not comments, blank or shell commands).
        public var statements: Int

        /// One line for a list: start, last statement, size.
        public var summary: String {
            let format = DateFormatter()
            format.locale = Locale(identifier: "en_US_POSIX")
            format.dateFormat = "yyyy-MM-dd HH:mm"
            let start = started.map(format.string(from:)) ?? "?"
            format.dateFormat = "HH:mm"
            let last = lastWritten.map { ", last statement at \(format.string(from: $0))" } ?? ""
            let by = process.map { ", process \($0)" } ?? ""
            return "started \(start)\(by)\(last), \(statements) statement\(statements == 1 ? "" : "s")"
        }
    }

    /// The journals in `folder` that no running session holds, newest first. Journals without a
    /// statement are deleted on the way, as are names left half-made more than a minute ago.
    public static func unfinished(in folder: String) -> [Unfinished] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [Unfinished] = []
        for name in names {
            let path = folder + "/" + name
            if name.hasSuffix(".synth.partial") {
                if let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                   Date().timeIntervalSince(modified) > 60 { unlink(path) }
                continue
            }
            guard name.hasSuffix(".synth"), let lock = JournalLock(path: path) else { continue }
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            let statements = text.split(separator: "\n").filter { line in
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                return !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix(".")
            }.count
            if statements == 0 {
                unlink(path)
                lock.release()
                continue
            }
            let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            let parts = (name as NSString).deletingPathExtension.split(separator: "-")
            let started = parts.count >= 3 ? stamp.date(from: "\(parts[0])-\(parts[1])") : nil
            let process = parts.count >= 3 ? Int(parts[2]) : nil
            found.append(Unfinished(path: path, started: started, lastWritten: modified, process: process, statements: statements))
            lock.release()
        }
        // Newest first: by start, then by name.
        return found.sorted { ($0.started ?? .distantPast, $0.path) > ($1.started ?? .distantPast, $1.path) }
    }
}

/// An exclusive, non-blocking `flock` on a journal: nil when a running session (or a restore in
/// progress) holds it.
final class JournalLock {
    private let descriptor: Int32

    init?(path: String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    private var released = false

    func release() {
        guard !released else { return }
        released = true
        close(descriptor)
    }

    deinit { release() }
}
