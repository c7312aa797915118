import Foundation
import SynthKit

/// What a trial produced: its metrics and costs, or why it failed.
public struct TrialOutcome: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable { case done, failed }

    public struct PluginVersion: Codable, Sendable, Equatable {
        public var id: String
        public var version: String
    }

    public var key: String
    public var status: Status
    public var error: String?
    public var metrics: [MetricRecord]
    public var fitSeconds: Double?
    public var sampleSeconds: Double?
    public var validateSeconds: Double?
    /// Peak resident memory of the worker process (nil in process).
    public var peakMiB: Double?
    public var epsilon: Double?
    public var delta: Double?
    /// The generator's progress messages during fit (each epoch's losses for the neural ones).
    public var lossHistory: [String]
    public var plugins: [PluginVersion]
    /// The plugins' log lines (how a privacy budget was split across queries, among others).
    public var log: [String] = []

    public static func failure(_ key: String, _ message: String) -> TrialOutcome {
        TrialOutcome(key: key, status: .failed, error: message, metrics: [], lossHistory: [], plugins: [])
    }
}
