import Foundation
import SynthMath

/// A dense 2-D array of Float32 (rows × columns, row-major) that records the operations made on
/// it, so that gradients can be taken by reverse-mode automatic differentiation. A vector is one
/// row, a scalar is 1 × 1.
///
/// The backward pass of every operation is written with the same differentiable operations, so
/// `gradients(of:with:createGraph: true)` gives gradients that can be differentiated again
/// (gradients of gradients, as a gradient penalty needs).
public final class Tensor: CustomStringConvertible {
    public let rows: Int
    public let columns: Int
    public internal(set) var data: [Float]
    /// True for parameters and for every result computed from one while gradients are recorded.
    public internal(set) var requiresGrad: Bool
    /// The gradient accumulated by `backward()` (parameters and other leaves only).
    public var grad: Tensor?
    var node: Node?

    public init(rows: Int, columns: Int, data: [Float], requiresGrad: Bool = false) {
        precondition(rows >= 0 && columns >= 0 && data.count == rows * columns,
                     "a \(rows)×\(columns) tensor needs \(rows * columns) values, got \(data.count)")
        self.rows = rows
        self.columns = columns
        self.data = data
        self.requiresGrad = requiresGrad
    }

    public convenience init(_ rows: [[Float]], requiresGrad: Bool = false) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "rows of different lengths")
        self.init(rows: rows.count, columns: columns, data: rows.flatMap { $0 }, requiresGrad: requiresGrad)
    }

    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init(rows: 1, columns: 1, data: [scalar], requiresGrad: requiresGrad)
    }

    public static func zeros(_ rows: Int, _ columns: Int, requiresGrad: Bool = false) -> Tensor {
        Tensor(rows: rows, columns: columns, data: Array(repeating: 0, count: rows * columns), requiresGrad: requiresGrad)
    }

    public static func full(_ rows: Int, _ columns: Int, _ value: Float) -> Tensor {
        Tensor(rows: rows, columns: columns, data: Array(repeating: value, count: rows * columns))
    }

    /// Standard normal values drawn from `random`: Box–Muller in Float32 on pairs of open uniforms
    /// from the fast path, both the cosine and the sine of each pair used.
    public static func randn(_ rows: Int, _ columns: Int, random: inout Philox, requiresGrad: Bool = false) -> Tensor {
        let count = rows * columns
        let pairs = (count + 1) / 2
        let uniforms = openUniform(2 * pairs, random: &random)
        // The logarithms of each pair's first uniform, vectorized.
        var logs = [Float](unsafeUninitializedCapacity: pairs) { buffer, initialized in
            for p in 0..<pairs { buffer[p] = uniforms[2 * p] }
            initialized = pairs
        }
        logs.withUnsafeMutableBufferPointer { VectorMath.log($0) }
        let data = filled(rows, columns) { out in
            uniforms.withUnsafeBufferPointer { u in
                for p in 0..<pairs {
                    let i = 2 * p
                    let radius = (-2 * logs[p]).squareRoot()
                    let angle = 2 * Float.pi * u[i + 1]
                    out[i] = radius * Foundation.cos(angle)
                    if i + 1 < count { out[i + 1] = radius * Foundation.sin(angle) }
                }
            }
        }
        return Tensor(rows: rows, columns: columns, data: data, requiresGrad: requiresGrad)
    }

    /// A tensor whose values `fill` writes (every one of them), without zeroing them first.
    static func filled(_ rows: Int, _ columns: Int, _ fill: (UnsafeMutableBufferPointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: rows * columns) { buffer, initialized in
            fill(buffer)
            initialized = rows * columns
        }
    }

    /// Uniform Floats in (0, 1) from `random`'s fast path.
    static func openUniform(_ count: Int, random: inout Philox) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            random.fillOpenUniform(buffer)
            initialized = count
        }
    }

    /// Uniform values in [low, high) drawn from `random`.
    public static func uniform(_ rows: Int, _ columns: Int, low: Float, high: Float, random: inout Philox, requiresGrad: Bool = false) -> Tensor {
        Tensor(rows: rows, columns: columns, data: (0..<(rows * columns)).map { _ in low + (high - low) * Float(random.nextUniform()) },
               requiresGrad: requiresGrad)
    }

    public var count: Int { data.count }
    public var shape: [Int] { [rows, columns] }
    public var isScalar: Bool { rows == 1 && columns == 1 }

    /// The value of a 1 × 1 tensor.
    public var scalar: Float {
        precondition(isScalar, "scalar of a \(rows)×\(columns) tensor")
        return data[0]
    }

    public subscript(row: Int, column: Int) -> Float {
        data[row * columns + column]
    }

    /// The same values, cut off from the recorded operations.
    public func detached() -> Tensor { Tensor(rows: rows, columns: columns, data: data) }

    /// Replaces the values of a leaf in place (an optimizer step); not recorded.
    public func assign(_ values: [Float]) {
        precondition(values.count == data.count, "assign: \(values.count) values for a \(rows)×\(columns) tensor")
        data = values
    }

    /// Turns a tensor into a parameter (a leaf whose gradient is kept).
    public func requiringGrad() -> Tensor {
        requiresGrad = true
        node = nil
        return self
    }

    public var description: String {
        "Tensor(\(rows)×\(columns)" + (count <= 8 ? ": \(data)" : "") + ")"
    }
}

/// The operation that made a tensor: its inputs, and how to turn the gradient of its output into
/// gradients of its inputs (with differentiable operations).
final class Node {
    let inputs: [Tensor]
    let backward: (_ gradient: Tensor, _ output: Tensor) -> [Tensor?]

    init(inputs: [Tensor], backward: @escaping (Tensor, Tensor) -> [Tensor?]) {
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether operations are recorded for differentiation (on by default; off inside `noGrad`).
/// The setting belongs to the running task (or thread), so concurrent trainings do not meet.
public enum GradMode {
    @TaskLocal static var enabled = true

    /// Runs `body` without recording (evaluation, optimizer steps, plain backward passes).
    public static func noGrad<T>(_ body: () throws -> T) rethrows -> T {
        try $enabled.withValue(false) { try body() }
    }

    /// Runs `body` recording operations or not.
    public static func with<T>(recording: Bool, _ body: () throws -> T) rethrows -> T {
        try $enabled.withValue(recording) { try body() }
    }

    public static var isEnabled: Bool { enabled }
}

extension Tensor {
    /// A result of an operation: recorded when gradients are on and an input needs them.
    static func result(_ rows: Int, _ columns: Int, _ data: [Float], inputs: [Tensor],
                       backward: @escaping (Tensor, Tensor) -> [Tensor?]) -> Tensor {
        let output = Tensor(rows: rows, columns: columns, data: data)
        if GradMode.enabled, inputs.contains(where: \.requiresGrad) {
            output.requiresGrad = true
            output.node = Node(inputs: inputs, backward: backward)
        }
        return output
    }
}
