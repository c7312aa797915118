import Foundation

/// Turns a plugin's progress reports (a fraction done and a message) into the line a person
/// watches: how long the work has left at the pace it has kept, then the message ("about 9 min
/// left · epoch 12/300 loss_g=…"), the estimate first so that a narrow terminal, which cuts the
/// line, keeps it.
///
/// The pace is measured from the first report that carries a fraction, not from the start, so
/// that setup without a fraction (a neural generator fitting its column transforms) does not
/// count as progress: each later report is timed against that first one. A fraction lower than
/// the one before starts a new stretch of work (sampling after fitting), timed afresh. A report
/// without a fraction, the first of a stretch and the last (fraction 1) show no estimate.
public final class ProgressClock: @unchecked Sendable {
    private let lock = NSLock()
    private let origin = DispatchTime.now().uptimeNanoseconds
    private var first: (seconds: Double, fraction: Double)?
    private var last = 0.0

    public init() {}

    /// The line for a report made now; nil when it has neither a fraction nor a message.
    public func line(_ fraction: Double?, _ message: String?) -> String? {
        line(fraction, message, at: Double(DispatchTime.now().uptimeNanoseconds - origin) / 1e9)
    }

    /// The line for a report made `seconds` after the clock was made.
    public func line(_ fraction: Double?, _ message: String?, at seconds: Double) -> String? {
        let text = message ?? fraction.map { String(format: "%.0f%%", $0 * 100) }
        guard let text, let fraction, fraction.isFinite else { return text }
        lock.lock()
        defer { lock.unlock() }
        defer { last = fraction }
        guard let first, fraction >= last else {
            self.first = (seconds, fraction)
            return text
        }
        guard fraction > first.fraction, fraction < 1 else { return text }
        let left = (seconds - first.seconds) / (fraction - first.fraction) * (1 - fraction)
        return "about " + ProgressClock.duration(left) + " left · " + text
    }

    /// A duration as a person reads an estimate: "40 s", "3 min 10 s", "25 min", "2 h 5 min".
    public static func duration(_ seconds: Double) -> String {
        let whole = Int(max(seconds, 0).rounded())
        if whole < 60 { return "\(max(whole, 1)) s" }
        if whole < 600 { return whole % 60 == 0 ? "\(whole / 60) min" : "\(whole / 60) min \(whole % 60) s" }
        let minutes = Int((seconds / 60).rounded())
        if minutes < 60 { return "\(minutes) min" }
        return minutes % 60 == 0 ? "\(minutes / 60) h" : "\(minutes / 60) h \(minutes % 60) min"
    }
}
