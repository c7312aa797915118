import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// This process's environment behind one lock. glibc's `setenv` may move `environ` while another
/// thread copies it for a child process, and the copy then reads freed memory. Every change this
/// code base makes (`set`) and every copy it takes for a child (`current`, `withLock` around a
/// spawn that reads `environ` itself) holds the lock, so they never overlap.
public enum ProcessEnvironment {
    private static let lock = NSLock()

    /// Sets `name` to `value` for this process and the children it starts afterwards.
    public static func set(_ name: String, _ value: String) {
        lock.lock()
        defer { lock.unlock() }
        setenv(name, value, 1)
    }

    /// A copy of the environment.
    public static var current: [String: String] {
        withLock { ProcessInfo.processInfo.environment }
    }

    /// One variable's value.
    public static func value(_ name: String) -> String? { current[name] }

    /// Runs `body` (a spawn that reads `environ`) while no one changes the environment.
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
