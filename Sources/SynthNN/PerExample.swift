import SynthMath

/// Per-example gradients of a Linear layer without a backward pass per example: with the layer's
/// input activations A (batch × in) and the errors E = ∂L/∂output (batch × out) of a loss that is
/// a sum over examples, example i's gradient is aᵢᵀeᵢ for the weight and eᵢ for the bias
/// (Goodfellow 2015, "Efficient per-example gradient computations").
public enum PerExampleGradients {
    /// Each example's weight gradient, flattened row-major (batch × in·out), and bias gradient
    /// (batch × out).
    public static func linear(input: Tensor, outputGradient: Tensor) -> (weight: Tensor, bias: Tensor) {
        precondition(input.rows == outputGradient.rows, "per-example gradients: \(input.rows) inputs, \(outputGradient.rows) errors")
        let batch = input.rows, inputs = input.columns, outputs = outputGradient.columns
        var weight = [Float](repeating: 0, count: batch * inputs * outputs)
        input.data.withUnsafeBufferPointer { a in
            outputGradient.data.withUnsafeBufferPointer { e in
                weight.withUnsafeMutableBufferPointer { w in
                    for i in 0..<batch {
                        let base = i * inputs * outputs
                        for p in 0..<inputs {
                            let ap = a[i * inputs + p]
                            let row = base + p * outputs
                            for q in 0..<outputs { w[row + q] = ap * e[i * outputs + q] }
                        }
                    }
                }
            }
        }
        return (Tensor(rows: batch, columns: inputs * outputs, data: weight), outputGradient.detached())
    }

    /// Each example's squared gradient norm over the weight and the bias: ‖aᵢ‖²‖eᵢ‖² + ‖eᵢ‖²,
    /// without forming the gradients.
    public static func linearSquaredNorms(input: Tensor, outputGradient: Tensor) -> [Float] {
        (0..<input.rows).map { i in
            var a2: Float = 0, e2: Float = 0
            for p in 0..<input.columns { let x = input.data[i * input.columns + p]; a2 += x * x }
            for q in 0..<outputGradient.columns { let x = outputGradient.data[i * outputGradient.columns + q]; e2 += x * x }
            return a2 * e2 + e2
        }
    }

    /// Σᵢ scaleᵢ · gradientᵢ for the weight (in × out) and the bias (1 × out) with one matrix
    /// product: Aᵀ · diag(scale) · E. DP-SGD clips with scaleᵢ = min(1, C / ‖gᵢ‖).
    public static func linearWeightedSum(input: Tensor, outputGradient: Tensor, scales: [Float]) -> (weight: Tensor, bias: Tensor) {
        precondition(scales.count == input.rows, "\(scales.count) scales for \(input.rows) examples")
        return GradMode.noGrad {
            let scaled = outputGradient.detached() * Tensor(rows: scales.count, columns: 1, data: scales)
            return (input.detached().matmul(scaled, transposeSelf: true), scaled.sum(axis: 0))
        }
    }
}

/// Per-example gradients of any loss that is a sum over the rows of a batch, through the ops that
/// keep the rows apart (linear layers, matrix products with a weight on the right, elementwise
/// functions, row sums), including a gradient penalty's gradient of a gradient: no backward pass
/// per example.
///
/// Each use of a parameter P (r × c) in the recorded graph contributes Lᵀ·R to P's gradient, with L
/// (batch × r) and R (batch × c) row-aligned with the examples, so example i's gradient is
/// Σᵤ Lᵤ[i]ᵀ Rᵤ[i] (a sum of outer products). A linear layer's forward use has L = its input and
/// R = the error at its output; the input gradient g·Wᵀ that a penalty records uses W again, with
/// L = the error flowing back into that product and R = g. `Autodiff.perExampleFactors` collects
/// the factor pairs instead of summing over the examples; from them come each example's squared
/// norm, Σᵤ Σᵥ (Lᵤ[i]·Lᵥ[i])(Rᵤ[i]·Rᵥ[i]), and any weighted sum Σᵢ sᵢ gᵢ = Σᵤ Lᵤᵀ diag(s) Rᵤ,
/// without forming one example's gradient (the "ghost" norm of Goodfellow 2015 and of Li et al.
/// 2022, here for several uses of a weight).
public struct PerExampleFactors {
    public let examples: Int
    /// Per parameter (in the order asked), its uses' (L, R) pairs.
    public let factors: [[(left: Tensor, right: Tensor)]]
    /// Per parameter, its shape (that of each of its gradients).
    let shapes: [(rows: Int, columns: Int)]

    /// Each example's squared gradient norm over every parameter.
    public func squaredNorms() -> [Double] {
        var norms = [Double](repeating: 0, count: examples)
        for uses in factors {
            for u in uses.indices {
                for v in u..<uses.count {
                    let weight = u == v ? 1.0 : 2.0
                    let left = Self.rowDots(uses[u].left, uses[v].left), right = Self.rowDots(uses[u].right, uses[v].right)
                    for i in 0..<examples { norms[i] += weight * left[i] * right[i] }
                }
            }
        }
        return norms
    }

    /// Σᵢ scaleᵢ · gradientᵢ for each parameter (its shape), as one matrix product per use.
    public func weightedSums(_ scales: [Float]) -> [Tensor] {
        precondition(scales.count == examples, "\(scales.count) scales for \(examples) examples")
        let s = Tensor(rows: examples, columns: 1, data: scales)
        return GradMode.noGrad {
            zip(factors, shapes).map { uses, shape in
                var total = Tensor.zeros(shape.rows, shape.columns)
                for use in uses { total = total + use.left.matmul(use.right * s, transposeSelf: true) }
                return total
            }
        }
    }

    /// Row i's dot product of a and b, in Double.
    static func rowDots(_ a: Tensor, _ b: Tensor) -> [Double] {
        precondition(a.rows == b.rows && a.columns == b.columns, "row dots: \(a.rows)×\(a.columns) and \(b.rows)×\(b.columns)")
        let width = a.columns
        return a.data.withUnsafeBufferPointer { x in
            b.data.withUnsafeBufferPointer { y in
                (0..<a.rows).map { i in
                    var total = 0.0
                    for k in 0..<width { total += Double(x[i * width + k]) * Double(y[i * width + k]) }
                    return total
                }
            }
        }
    }
}

/// The parameters whose uses a running backward pass records as factor pairs, and the pairs.
final class FactorCapture: @unchecked Sendable {
    let parameters: Set<ObjectIdentifier>
    let examples: Int
    var uses: [ObjectIdentifier: [(left: Tensor, right: Tensor)]] = [:]

    init(parameters: [Tensor], examples: Int) {
        self.parameters = Set(parameters.map(ObjectIdentifier.init))
        self.examples = examples
    }

    /// Records a use of `parameter` when it is captured (its gradient is then not computed):
    /// returns whether it did.
    func record(_ parameter: Tensor, left: @autoclosure () -> Tensor, right: @autoclosure () -> Tensor) -> Bool {
        guard parameters.contains(ObjectIdentifier(parameter)) else { return false }
        let (l, r) = (left().detached(), right().detached())
        precondition(l.rows == examples && r.rows == examples,
                     "per-example gradients: a use of a \(parameter.rows)×\(parameter.columns) parameter is not row-aligned with the \(examples) examples")
        uses[ObjectIdentifier(parameter), default: []].append((l, r))
        return true
    }

    /// Fails on a use whose per-example gradients cannot be told apart (the parameter on the
    /// left of a product, or a transposed input).
    func refuse(_ parameter: Tensor, _ what: String) {
        precondition(!parameters.contains(ObjectIdentifier(parameter)), "per-example gradients: \(what) is not supported")
    }
}

extension Autodiff {
    /// The recording of per-example factor pairs; nil outside `perExampleFactors`.
    @TaskLocal static var capture: FactorCapture?

    /// The factor pairs of the per-example gradients of `loss` (a scalar: the sum over `examples`
    /// rows of each row's loss) with respect to `parameters`; see `PerExampleFactors`. Every
    /// operation between the rows and the loss must keep the rows apart (no batch norm, no mixing
    /// of rows), as in a discriminator over single rows.
    public static func perExampleFactors(of loss: Tensor, parameters: [Tensor], examples: Int) -> PerExampleFactors {
        let capture = FactorCapture(parameters: parameters, examples: examples)
        // A captured parameter's gradient is never summed: any left over comes from an operation
        // that does not record its factors, whose per-example share would be lost.
        let leftovers = $capture.withValue(capture) { gradients(of: loss, with: parameters) }
        for (parameter, leftover) in zip(parameters, leftovers) {
            precondition(leftover.data.allSatisfy { $0 == 0 },
                         "per-example gradients: a \(parameter.rows)×\(parameter.columns) parameter is used by an operation that does not keep the examples apart")
        }
        return PerExampleFactors(examples: examples, factors: parameters.map { capture.uses[ObjectIdentifier($0)] ?? [] },
                                 shapes: parameters.map { ($0.rows, $0.columns) })
    }
}
