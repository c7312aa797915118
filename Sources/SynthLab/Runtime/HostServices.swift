import CSynthABI
import Foundation
import SynthKit

/// What the host offers plugins during one trial: its seed, a log and a progress sink, and a
/// cancellation flag that another thread (a Ctrl-C handler) may set.
public final class HostServices: @unchecked Sendable {
    public let seed: UInt64
    public var log: (LogLevel, String) -> Void
    public var progress: (Double?, String?) -> Void
    /// Polled with the flag: a cancellation that comes from elsewhere (a REPL's SIGINT flag).
    public var cancellationCheck: (() -> Bool)?
    private let lock = NSLock()
    private var cancelled = false

    public init(seed: UInt64,
                log: @escaping (LogLevel, String) -> Void = { _, _ in },
                progress: @escaping (Double?, String?) -> Void = { _, _ in }) {
        self.seed = seed
        self.log = log
        self.progress = progress
    }

    /// The same services with another seed (itself when the seed is its own); a cancellation of
    /// either is seen by the other through `cancellationCheck`.
    public func reseeded(_ seed: UInt64) -> HostServices {
        guard seed != self.seed else { return self }
        let other = HostServices(seed: seed, log: log, progress: progress)
        other.cancellationCheck = { [self] in isCancelled }
        return other
    }

    public func cancel() {
        lock.lock()
        cancelled = true
        lock.unlock()
    }

    public var isCancelled: Bool {
        lock.lock()
        let flag = cancelled
        lock.unlock()
        return flag || (cancellationCheck?() ?? false)
    }

    /// Runs `body` with a `synth_host` for this call; `privacy` is the instance composed with a
    /// generator, if any.
    func withHost<T>(privacy: PluginInstance? = nil, _ body: (UnsafePointer<synth_host>) throws -> T) rethrows -> T {
        var host = synth_host(
            struct_size: UInt32(MemoryLayout<synth_host>.size), abi_version: SYNTH_ABI_VERSION,
            host_data: Unmanaged.passUnretained(self).toOpaque(), seed: seed,
            log: hostLog, progress: hostProgress, is_cancelled: hostIsCancelled,
            privacy: privacy?.pointer, get_service: hostService)
        return try withExtendedLifetime(self) { try withUnsafePointer(to: &host) { try body($0) } }
    }

    fileprivate static func from(_ host: UnsafePointer<synth_host>?) -> HostServices? {
        guard let data = host?.pointee.host_data else { return nil }
        return Unmanaged<HostServices>.fromOpaque(data).takeUnretainedValue()
    }
}

private func hostLog(_ host: UnsafePointer<synth_host>?, _ level: synth_log_level, _ message: UnsafePointer<CChar>?) {
    guard let services = HostServices.from(host), let message else { return }
    services.log(LogLevel(rawValue: Int(level.rawValue)) ?? .info, String(cString: message))
}

private func hostProgress(_ host: UnsafePointer<synth_host>?, _ fraction: Double, _ message: UnsafePointer<CChar>?) {
    guard let services = HostServices.from(host) else { return }
    services.progress(fraction < 0 || fraction.isNaN ? nil : min(fraction, 1), message.map { String(cString: $0) })
}

private func hostIsCancelled(_ host: UnsafePointer<synth_host>?) -> Bool {
    HostServices.from(host)?.isCancelled ?? false
}

private func hostService(_ host: UnsafePointer<synth_host>?, _ id: UnsafePointer<CChar>?) -> UnsafeRawPointer? {
    nil // No optional services in ABI version 1.0.
}
