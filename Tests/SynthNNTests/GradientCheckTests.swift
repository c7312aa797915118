import Foundation
import SynthMath
import Testing
@testable import SynthNN

/// One operation under test: the shapes of its inputs and what it computes from them.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    /// rows, columns, and whether the values must be positive (log, sqrt, divisors).
    let inputs: [(Int, Int, Bool)]
    let apply: @Sendable ([Tensor]) -> Tensor

    var testDescription: String { name }

    init(_ name: String, _ inputs: [(Int, Int, Bool)], _ apply: @escaping @Sendable ([Tensor]) -> Tensor) {
        self.name = name
        self.inputs = inputs
        self.apply = apply
    }
}

/// A scalar, a three-way softmax and a two-way softmax over six columns.
let testSpans = [ActivationSpan(start: 0, width: 1, kind: .tanh), ActivationSpan(start: 1, width: 3, kind: .softmax),
                 ActivationSpan(start: 4, width: 2, kind: .softmax)]

let opCases: [OpCase] = [
    OpCase("add", [(3, 4, false), (3, 4, false)]) { $0[0] + $0[1] },
    OpCase("add row broadcast", [(3, 4, false), (1, 4, false)]) { $0[0] + $0[1] },
    OpCase("sub column broadcast", [(3, 4, false), (3, 1, false)]) { $0[0] - $0[1] },
    OpCase("mul", [(3, 4, false), (3, 4, false)]) { $0[0] * $0[1] },
    OpCase("mul scalar broadcast", [(3, 4, false), (1, 1, false)]) { $0[0] * $0[1] },
    OpCase("div", [(3, 4, false), (3, 4, true)]) { $0[0] / $0[1] },
    OpCase("div row broadcast", [(1, 4, false), (3, 4, true)]) { $0[0] / $0[1] },
    OpCase("affine", [(3, 4, false)]) { 2.5 - $0[0] * 1.5 },
    OpCase("exp", [(3, 4, false)]) { $0[0].exp() },
    OpCase("log", [(3, 4, true)]) { $0[0].log() },
    OpCase("sqrt", [(3, 4, true)]) { $0[0].sqrt() },
    OpCase("tanh", [(3, 4, false)]) { $0[0].tanh() },
    OpCase("sigmoid", [(3, 4, false)]) { $0[0].sigmoid() },
    OpCase("relu", [(3, 4, false)]) { $0[0].relu() * $0[0] },
    OpCase("leaky_relu", [(3, 4, false)]) { $0[0].leakyRelu(0.2) * $0[0] },
    OpCase("softplus", [(3, 4, false)]) { $0[0].softplus() },
    OpCase("matmul", [(3, 4, false), (4, 2, false)]) { $0[0].matmul($0[1]) },
    OpCase("matmul Aᵀ·B", [(4, 3, false), (4, 2, false)]) { $0[0].matmul($0[1], transposeSelf: true) },
    OpCase("matmul A·Bᵀ", [(3, 4, false), (2, 4, false)]) { $0[0].matmul($0[1], transposeOther: true) },
    OpCase("matmul Aᵀ·Bᵀ", [(4, 3, false), (2, 4, false)]) { $0[0].matmul($0[1], transposeSelf: true, transposeOther: true) },
    OpCase("matmul squared", [(3, 3, false)]) { $0[0].matmul($0[0]) },
    OpCase("linear (x·W + b in one call)", [(3, 4, false), (4, 2, false), (1, 2, false)]) { $0[0].linear($0[1], $0[2]).squared() },
    OpCase("transpose", [(3, 4, false)]) { $0[0].transposed * $0[0].transposed },
    OpCase("sum all", [(3, 4, false)]) { ($0[0] * $0[0]).sum() },
    OpCase("sum rows", [(3, 4, false)]) { ($0[0] * $0[0]).sum(axis: 0) },
    OpCase("sum columns", [(3, 4, false)]) { ($0[0] * $0[0]).sum(axis: 1) },
    OpCase("mean", [(3, 4, false)]) { $0[0].exp().mean() + $0[0].mean(axis: 0) * $0[0].mean(axis: 0) },
    OpCase("max by row", [(3, 4, false)]) { $0[0].max(axis: 1) * $0[0].max(axis: 1) },
    OpCase("max by column", [(3, 4, false)]) { $0[0].max(axis: 0).exp() },
    OpCase("broadcast", [(1, 4, false)]) { $0[0].broadcast(toRows: 3, columns: 4).squared() },
    OpCase("columns slice", [(3, 5, false)]) { $0[0].columns(1..<4).squared() },
    OpCase("pad columns", [(3, 2, false)]) { $0[0].padColumns(before: 1, total: 4).exp() },
    OpCase("concat columns", [(3, 2, false), (3, 3, false)]) { Tensor.concatColumns([$0[0], $0[1].squared(), $0[0]]) },
    OpCase("gather rows", [(4, 3, false)]) { $0[0].gatherRows([2, 0, 2, 3, 1]).squared() },
    OpCase("scatter-add rows", [(3, 2, false)]) { $0[0].scatterAddRows([1, 0, 1], rows: 4).squared() },
    OpCase("reshape (pac)", [(4, 3, false)]) { $0[0].reshaped(2, 6).squared() },
    OpCase("softmax", [(3, 4, false)]) { $0[0].softmax() },
    OpCase("log_softmax", [(3, 4, false)]) { $0[0].logSoftmax() },
    OpCase("gumbel_softmax", [(3, 4, false)]) { x in
        var random = Philox(seed: 5)
        return x[0].gumbelSoftmax(tau: 0.7, random: &random)
    },
    OpCase("dropout", [(3, 4, false)]) { x in
        var random = Philox(seed: 9)
        return x[0].dropout(0.4, random: &random).squared()
    },
    OpCase("batch norm (train)", [(5, 3, false)]) { $0[0].batchNormalized().normalized },
    OpCase("batch norm layer (eval)", [(4, 3, false), (1, 3, false)]) { x in
        (x[0] - x[1]) / (x[1].squared() + 1).sqrt()
    },
    OpCase("cross-entropy", [(4, 3, false)]) { Loss.crossEntropy($0[0], targets: [2, 0, 1, 2]) },
    OpCase("cross-entropy (probabilities)", [(3, 4, false), (3, 4, false)]) { Loss.crossEntropy($0[0], probabilities: $0[1].softmax()) },
    OpCase("batch norm, fused (x, gamma, beta)", [(5, 3, false), (1, 3, false), (1, 3, false)]) {
        $0[0].batchNorm(gamma: $0[1], beta: $0[2], epsilon: 1e-5).output
    },
    OpCase("span activation (tanh, softmax)", [(3, 6, false)]) { x in
        var random = Philox(seed: 1)
        return x[0].spanActivation(testSpans, gumbelTau: nil, random: &random)
    },
    OpCase("span activation (tanh, Gumbel-softmax)", [(3, 6, false)]) { x in
        var random = Philox(seed: 5)
        return x[0].spanActivation(testSpans, gumbelTau: 0.7, random: &random)
    },
    OpCase("span cross-entropy", [(4, 6, false)]) { x in
        // Rows weigh one span each, or none (row 3), or both (row 2); targets one-hot or soft.
        let targets = Tensor([[0, 1, 0, 0, 0], [1, 0, 0, 0, 1], [0, 0, 1, 0.25, 0.75], [0, 1, 0, 1, 0]])
        let weights = Tensor([[1, 0], [0, 2], [1, 1], [0, 0]])
        return Loss.spanCrossEntropy(x[0], spans: [1..<4, 4..<6], targets: targets, targetStarts: [0, 3], weights: weights)
    },
    OpCase("mse", [(3, 4, false), (3, 4, false)]) { Loss.mse($0[0], $0[1]) },
    OpCase("gaussian log-likelihood", [(3, 4, false), (3, 4, false), (3, 4, false)]) {
        Loss.gaussianNegativeLogLikelihood($0[0], mean: $0[1], logVariance: $0[2])
    },
    OpCase("KL divergence", [(3, 4, false), (3, 4, false)]) { Loss.klStandardNormal(mean: $0[0], logVariance: $0[1]) },
]

/// Gradients against central finite differences, in Float32: first order, and second order as
/// Hessian-vector products (the gradient of ⟨∇f, v⟩, computed through a recorded backward pass).
@Suite("Every op against finite differences, first and second order")
struct GradientCheckTests {
    static let epsilon: Float = 1e-2

    /// Inputs away from the kinks of relu and max: |x| ≥ 0.2, and all different.
    static func inputs(_ spec: [(Int, Int, Bool)], name: String) -> [Tensor] {
        var random = Philox(seed: 2026, stream: fnv1a(name))
        return spec.map { rows, columns, positive in
            let values = (0..<(rows * columns)).map { _ -> Float in
                let magnitude = Float(0.2 + 1.0 * random.nextUniform())
                return positive || random.nextUniform() < 0.5 ? magnitude + (positive ? 0.3 : 0) : -magnitude
            }
            return Tensor(rows: rows, columns: columns, data: values, requiresGrad: true)
        }
    }

    static func weights(like tensor: Tensor, seed: UInt64) -> Tensor {
        var random = Philox(seed: seed)
        return Tensor(rows: tensor.rows, columns: tensor.columns, data: (0..<tensor.count).map { _ in Float(random.nextUniform() * 2 - 1) })
    }

    /// ⟨f(x), w⟩: a scalar on which every output value has its own weight.
    static func scalar(_ c: OpCase, _ xs: [Tensor], _ w: Tensor) -> Tensor { (c.apply(xs) * w).sum() }

    /// Central differences of `function` at `xs`, for every value of every input.
    static func numeric(_ xs: [Tensor], _ function: ([Tensor]) -> Float) -> [[Float]] {
        xs.indices.map { i in
            (0..<xs[i].count).map { j in
                func shifted(_ delta: Float) -> Float {
                    let copies = xs.enumerated().map { k, x -> Tensor in
                        var data = x.data
                        if k == i { data[j] += delta }
                        return Tensor(rows: x.rows, columns: x.columns, data: data, requiresGrad: true)
                    }
                    return function(copies)
                }
                return (shifted(epsilon) - shifted(-epsilon)) / (2 * epsilon)
            }
        }
    }

    static func close(_ analytic: [[Float]], _ numeric: [[Float]], tolerance: Float) -> String? {
        for (i, (a, n)) in zip(analytic, numeric).enumerated() {
            for (j, (x, y)) in zip(a, n).enumerated() where Swift.abs(x - y) > tolerance * Swift.max(1, Swift.abs(x), Swift.abs(y)) {
                return "input \(i) value \(j): analytic \(x), numeric \(y)"
            }
        }
        return nil
    }

    @Test("first order", arguments: opCases)
    func firstOrder(_ c: OpCase) {
        let xs = Self.inputs(c.inputs, name: c.name)
        let w = Self.weights(like: GradMode.noGrad { c.apply(xs) }, seed: 7)
        let analytic = Autodiff.gradients(of: Self.scalar(c, xs, w), with: xs).map(\.data)
        let numeric = Self.numeric(xs) { Self.scalar(c, $0, w).scalar }
        #expect(Self.close(analytic, numeric, tolerance: 1e-2) == nil, "\(c.name): \(Self.close(analytic, numeric, tolerance: 1e-2) ?? "")")
    }

    @Test("second order", arguments: opCases)
    func secondOrder(_ c: OpCase) {
        let xs = Self.inputs(c.inputs, name: c.name)
        let w = Self.weights(like: GradMode.noGrad { c.apply(xs) }, seed: 7)
        let vs = xs.enumerated().map { Self.weights(like: $1, seed: 100 + UInt64($0)) }
        /// ⟨∇f(x), v⟩ with the gradient recorded, so it can be differentiated.
        func hessianVector(_ inputs: [Tensor]) -> Tensor {
            let grads = Autodiff.gradients(of: Self.scalar(c, inputs, w), with: inputs, createGraph: true)
            return zip(grads, vs).map { ($0 * $1).sum() }.reduce(Tensor(scalar: 0), +)
        }
        let analytic = Autodiff.gradients(of: hessianVector(xs), with: xs).map(\.data)
        let numeric = Self.numeric(xs) { hessianVector($0).scalar }
        #expect(Self.close(analytic, numeric, tolerance: 3e-2) == nil, "\(c.name): \(Self.close(analytic, numeric, tolerance: 3e-2) ?? "")")
    }

    @Test func aGradientPenaltyTrainsThroughTheGradient() {
        // WGAN-GP's penalty (‖∇ₓD(x)‖ − 1)² differentiated with respect to D's weights.
        var random = Philox(seed: 3)
        let layer = Linear(4, 3, random: &random)
        let x = Tensor.randn(5, 4, random: &random, requiresGrad: true)
        func penalty(_ weight: Tensor) -> Tensor {
            let critic = (x.matmul(weight) + layer.bias).tanh().sum()
            let gradient = Autodiff.gradients(of: critic, with: [x], createGraph: true)[0]
            return ((gradient.squared().sum(axis: 1) + 1e-12).sqrt() - 1).squared().mean()
        }
        let analytic = Autodiff.gradients(of: penalty(layer.weight), with: [layer.weight])[0].data
        let numeric = Self.numeric([layer.weight]) { penalty($0[0]).scalar }[0]
        #expect(Self.close([analytic], [numeric], tolerance: 3e-2) == nil)
        #expect(analytic.contains { $0 != 0 })
    }
}
