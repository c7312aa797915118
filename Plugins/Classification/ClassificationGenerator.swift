import Foundation
import SynthKit
import SynthMath

/// A labelled table with a known ground truth, simulated as scikit-learn's `make_classification`
/// does (after Guyon, "Design of experiments for the NIPS 2003 variable selection benchmark"):
/// each class is made of clusters of normal points around vertices of a hypercube in the space of
/// the informative features (side 2 · class_sep), each cluster with its own random covariance;
/// redundant features are random linear combinations of the informative ones, repeated features
/// copies of earlier ones, the rest noise; a share of labels is drawn again at random (label
/// noise). It needs no training table.
///
/// Columns are named by their role (`informative_1`, `redundant_1`, `repeated_1`, `noise_1`),
/// then `label` (`class_0`, `class_1`, ...). The first `categorical_features` informative columns
/// can be turned into categorical columns by binning them into `categorical_levels` quantile bins.
public struct ClassificationGenerator: Generator {
    public static let descriptor = PluginDescriptor(
        id: "classification",
        name: "Simulated classification data",
        version: "1.0.0",
        kind: .generator,
        summary: "Simulates a labelled table with known informative, redundant, repeated and noise features (make_classification).",
        parameters: [
            .int("n_features", default: 20, min: 1, max: 10_000, help: "Features in all."),
            .int("n_informative", default: 2, min: 1, max: 64, help: "Features that carry the class signal."),
            .int("n_redundant", default: 2, min: 0, max: 10_000, help: "Random linear combinations of the informative features."),
            .int("n_repeated", default: 0, min: 0, max: 10_000, help: "Copies of informative and redundant features."),
            .int("n_classes", default: 2, min: 2, max: 1_000, help: "Classes."),
            .int("n_clusters_per_class", default: 2, min: 1, max: 1_000, help: "Normal clusters per class."),
            .string("weights", default: "", help: "Class proportions, comma-separated (empty: balanced); the last may be left out."),
            .float("flip_y", default: 0.01, min: 0, max: 1, help: "Share of labels drawn again at random (label noise)."),
            .float("class_sep", default: 1, min: 0, help: "Half the side of the hypercube the clusters sit on: larger is easier."),
            .bool("hypercube", default: true, help: "Clusters on hypercube vertices (false: on a random polytope)."),
            .float("shift", default: 0, help: "Added to every feature."),
            .float("scale", default: 1, min: 0, flags: .minExclusive, help: "Every feature multiplied by this after the shift."),
            .bool("shuffle", default: true, help: "Shuffle the rows."),
            .int("categorical_features", default: 0, min: 0, max: 64, help: "Informative features turned into categorical columns by binning."),
            .int("categorical_levels", default: 4, min: 2, max: 100, help: "Bins (levels) of each binned feature."),
        ],
        simulates: true)

    private let parameters: Parameters

    public init(parameters: Parameters, context: PluginContext) throws {
        let informative = parameters.int("n_informative"), redundant = parameters.int("n_redundant")
        let repeated = parameters.int("n_repeated"), features = parameters.int("n_features")
        guard informative + redundant + repeated <= features else {
            throw PluginError.invalidArgument("n_features (\(features)) must be at least n_informative + n_redundant + n_repeated (\(informative + redundant + repeated))")
        }
        let clusters = parameters.int("n_classes") * parameters.int("n_clusters_per_class")
        guard Double(clusters) <= pow(2, Double(informative)) else {
            throw PluginError.invalidArgument("n_classes × n_clusters_per_class (\(clusters)) must be at most 2^n_informative (\(Int(pow(2, Double(informative)))))")
        }
        guard parameters.int("categorical_features") <= informative else {
            throw PluginError.invalidArgument("categorical_features (\(parameters.int("categorical_features"))) must be at most n_informative (\(informative))")
        }
        _ = try Self.classWeights(parameters.string("weights"), classes: parameters.int("n_classes"))
        self.parameters = parameters
    }

    static func classWeights(_ text: String, classes: Int) throws -> [Double] {
        if text.trimmingCharacters(in: .whitespaces).isEmpty { return Array(repeating: 1 / Double(classes), count: classes) }
        var weights: [Double] = []
        for part in text.split(separator: ",") {
            guard let value = Double(part.trimmingCharacters(in: .whitespaces)), value >= 0 else {
                throw PluginError.invalidArgument("weights: '\(part)' is not a non-negative number")
            }
            weights.append(value)
        }
        if weights.count == classes - 1 { weights.append(Swift.max(0, 1 - weights.reduce(0, +))) }
        guard weights.count == classes else { throw PluginError.invalidArgument("weights: \(weights.count) values for \(classes) classes") }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw PluginError.invalidArgument("weights: they sum to 0") }
        return weights.map { $0 / total }
    }

    /// Nothing to learn: the table given, if any, is not read.
    public mutating func fit(_ table: Table, context: PluginContext) throws {}

    public mutating func sample(rows n: Int, context: PluginContext) throws -> Table {
        let p = parameters
        let informative = p.int("n_informative"), redundant = p.int("n_redundant"), repeated = p.int("n_repeated")
        let features = p.int("n_features"), classes = p.int("n_classes"), perClass = p.int("n_clusters_per_class")
        let useless = features - informative - redundant - repeated
        let clusters = classes * perClass
        let weights = try Self.classWeights(p.string("weights"), classes: classes)
        let classSep = p.float("class_sep")
        var random = context.random("classification")

        // Rows per cluster, by class weight, the remainder spread round-robin.
        var counts = (0..<clusters).map { Int(Double(n) * weights[$0 % classes] / Double(perClass)) }
        for i in 0..<(n - counts.reduce(0, +)) { counts[i % clusters] += 1 }

        // Distinct hypercube vertices as centroids.
        var vertices = Set<Int>()
        var centroids: [[Double]] = []
        while centroids.count < clusters {
            var vertex = 0
            for bit in 0..<informative where random.nextUniform() < 0.5 { vertex |= 1 << bit }
            guard informative > 62 || vertices.insert(vertex).inserted else { continue }
            centroids.append((0..<informative).map { bit in (vertex >> bit & 1 == 1 ? 1.0 : 0.0) * 2 * classSep - classSep })
        }
        if !p.bool("hypercube") {
            let radial = (0..<clusters).map { _ in 2 * random.nextUniform() }
            let axes = (0..<informative).map { _ in random.nextUniform() }
            centroids = centroids.enumerated().map { k, c in c.enumerated().map { $1 * radial[k] * axes[$0] } }
        }

        var x = Matrix<Double>(rows: n, columns: features)
        var y = [Int](repeating: 0, count: n)
        var start = 0
        for k in 0..<clusters {
            let rows = counts[k]
            var block = Matrix<Double>(rows: rows, columns: informative)
            for i in 0..<block.storage.count { block.storage[i] = random.nextNormal() }
            let covariance = Matrix<Double>(rows: informative, columns: informative,
                                            storage: (0..<(informative * informative)).map { _ in 2 * random.nextUniform() - 1 })
            let mixed = block.multiplied(by: covariance)
            for r in 0..<rows {
                for j in 0..<informative { x[start + r, j] = mixed[r, j] + centroids[k][j] }
                y[start + r] = k % classes
            }
            start += rows
        }
        if redundant > 0 {
            let b = Matrix<Double>(rows: informative, columns: redundant,
                                   storage: (0..<(informative * redundant)).map { _ in 2 * random.nextUniform() - 1 })
            var informativeBlock = Matrix<Double>(rows: n, columns: informative)
            for r in 0..<n { for j in 0..<informative { informativeBlock[r, j] = x[r, j] } }
            let combined = informativeBlock.multiplied(by: b)
            for r in 0..<n { for j in 0..<redundant { x[r, informative + j] = combined[r, j] } }
        }
        var repeatedSources: [Int] = []
        for j in 0..<repeated {
            let source = Int(Double(informative + redundant - 1) * random.nextUniform() + 0.5)
            repeatedSources.append(source)
            for r in 0..<n { x[r, informative + redundant + j] = x[r, source] }
        }
        for j in 0..<useless { for r in 0..<n { x[r, informative + redundant + repeated + j] = random.nextNormal() } }

        let flip = p.float("flip_y")
        for r in 0..<n where random.nextUniform() < flip { y[r] = random.nextInt(below: classes) }
        let shift = p.float("shift"), scale = p.float("scale")
        for i in 0..<x.storage.count { x.storage[i] = (x.storage[i] + shift) * scale }

        let order = p.bool("shuffle") ? random.permutation(n) : Array(0..<n)

        var columns: [Column] = []
        let names = (0..<informative).map { "informative_\($0 + 1)" } + (0..<redundant).map { "redundant_\($0 + 1)" }
            + (0..<repeated).map { "repeated_\($0 + 1)" } + (0..<useless).map { "noise_\($0 + 1)" }
        let categorical = p.int("categorical_features"), levels = p.int("categorical_levels")
        for (j, name) in names.enumerated() {
            let values = order.map { x[$0, j] }
            if j < categorical {
                let sorted = values.sorted()
                let edges = (1..<levels).map { sorted[Swift.min(n - 1, $0 * n / levels)] }
                let codes = values.map { v in Int32(edges.filter { $0 <= v }.count) }
                columns.append(Column(name: name, values: .categorical(codes: codes, levels: (0..<levels).map { "level_\($0)" })))
            } else {
                columns.append(Column(name: name, values: .continuous(values)))
            }
        }
        columns.append(Column(name: "label", values: .categorical(codes: order.map { Int32(y[$0]) }, levels: (0..<classes).map { "class_\($0)" })))
        context.progress(1, "simulated \(n) rows")
        return try Table(columns: columns)
    }
}

@_cdecl("synth_plugin_entry")
public func synthPluginEntry() -> UnsafeRawPointer { exportPlugins(ClassificationGenerator.self) }
