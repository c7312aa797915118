import Foundation
import SynthMath
import Testing
@testable import SynthNN

/// The fused operations against the recorded operations they replace, on CTGAN-sized batches,
/// values and gradients; and backward passes limited to some parameters.
@Suite("Fused operations equal their composed forms")
struct FusedTests {
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
    }

    /// Adult's spans as CTGAN encodes it: six scalars each followed by ten modes, then categories.
    static let spans: [ActivationSpan] = {
        var spans: [ActivationSpan] = []
        var start = 0
        for _ in 0..<6 {
            spans.append(ActivationSpan(start: start, width: 1, kind: .tanh))
            spans.append(ActivationSpan(start: start + 1, width: 10, kind: .softmax))
            start += 11
        }
        for width in [9, 16, 7, 15, 6, 5, 2, 42, 2] {
            spans.append(ActivationSpan(start: start, width: width, kind: .softmax))
            start += width
        }
        return spans
    }()

    @Test func spanActivationEqualsSlicedGumbelSoftmaxAndTanh() {
        var random = Philox(seed: 11)
        let x = Tensor.randn(200, 170, random: &random, requiresGrad: true)
        let weights = Tensor.randn(200, 170, random: &random)
        var fusedRandom = Philox(seed: 4), composedRandom = Philox(seed: 4)
        let fused = x.spanActivation(Self.spans, gumbelTau: 0.2, random: &fusedRandom)
        let composed = Tensor.concatColumns(Self.spans.map { span in
            let slice = x.columns(span.start..<(span.start + span.width))
            return span.kind == .tanh ? slice.tanh() : slice.gumbelSoftmax(tau: 0.2, random: &composedRandom)
        })
        #expect(Self.maxDifference(fused.data, composed.data) < 1e-6)
        #expect(fusedRandom.nextUniform() == composedRandom.nextUniform(), "both draw the same noise")
        let fusedGradient = Autodiff.gradients(of: (fused * weights).sum(), with: [x])[0]
        let composedGradient = Autodiff.gradients(of: (composed * weights).sum(), with: [x])[0]
        #expect(Self.maxDifference(fusedGradient.data, composedGradient.data) < 1e-4)
        #expect(fusedGradient.data.contains { $0 != 0 })
    }

    @Test func batchNormEqualsItsComposedFormAndUpdatesRunningEstimates() {
        var random = Philox(seed: 12)
        let x = Tensor.randn(500, 64, random: &random, requiresGrad: true)
        let gamma = Tensor.uniform(1, 64, low: 0.5, high: 1.5, random: &random, requiresGrad: true)
        let beta = Tensor.randn(1, 64, random: &random, requiresGrad: true)
        let weights = Tensor.randn(500, 64, random: &random)
        let (fused, mean, variance) = x.batchNorm(gamma: gamma, beta: beta, epsilon: 1e-5)
        let (normalized, composedMean, composedVariance) = x.batchNormalized(epsilon: 1e-5)
        let composed = normalized * gamma + beta
        #expect(Self.maxDifference(fused.data, composed.data) < 1e-5)
        #expect(Self.maxDifference(mean, composedMean.data) < 1e-6)
        #expect(Self.maxDifference(variance, composedVariance.data) < 1e-5)
        let fusedGradients = Autodiff.gradients(of: (fused * weights).sum(), with: [x, gamma, beta])
        let composedGradients = Autodiff.gradients(of: (composed * weights).sum(), with: [x, gamma, beta])
        for (a, b) in zip(fusedGradients, composedGradients) {
            #expect(Self.maxDifference(a.data, b.data) < 2e-3 * Swift.max(1, b.data.map(Swift.abs).max() ?? 0))
        }

        let layer = BatchNorm1d(64)
        _ = layer(x)
        #expect(Self.maxDifference(layer.runningMean.data, mean.map { 0.1 * $0 }) < 1e-6)
        #expect(Self.maxDifference(layer.runningVariance.data, variance.map { 0.9 + 0.1 * $0 * 500 / 499 }) < 1e-6)
    }

    @Test func spanCrossEntropyEqualsLogSoftmaxOfEachSpan() {
        var random = Philox(seed: 13)
        let x = Tensor.randn(300, 170, random: &random, requiresGrad: true)
        let discrete = [9, 16, 7, 15, 6, 5, 2, 42, 2]
        var spans: [Range<Int>] = [], starts: [Int] = []
        var start = 66, targetStart = 0
        for width in discrete {
            spans.append(start..<(start + width))
            starts.append(targetStart)
            start += width
            targetStart += width
        }
        // CTGAN's conditions: one column per row, one of its categories.
        var cond = [Float](repeating: 0, count: 300 * 104), mask = [Float](repeating: 0, count: 300 * 9)
        for row in 0..<300 {
            let d = random.nextInt(below: 9)
            cond[row * 104 + starts[d] + random.nextInt(below: discrete[d])] = 1
            mask[row * 9 + d] = 1
        }
        let targets = Tensor(rows: 300, columns: 104, data: cond), weights = Tensor(rows: 300, columns: 9, data: mask)
        let fused = Loss.spanCrossEntropy(x, spans: spans, targets: targets, targetStarts: starts, weights: weights)
        var composed = Tensor(scalar: 0)
        for (d, span) in spans.enumerated() {
            let target = targets.columns(starts[d]..<(starts[d] + span.count)) * weights.columns(d..<(d + 1))
            composed = composed - (x.columns(span).logSoftmax() * target).sum()
        }
        #expect(Swift.abs(fused.scalar - composed.scalar) < 1e-3 * Swift.abs(composed.scalar))
        #expect(fused.scalar > 0)
        let a = Autodiff.gradients(of: fused, with: [x])[0], b = Autodiff.gradients(of: composed, with: [x])[0]
        #expect(Self.maxDifference(a.data, b.data) < 1e-5)
    }

    @Test func aBackwardPassIntoSomeParametersLeavesTheOthersAlone() {
        var random = Philox(seed: 14)
        let first = Linear(6, 5, random: &random), second = Linear(5, 1, random: &random)
        let x = Tensor.randn(8, 6, random: &random)
        let loss = second(first(x).tanh()).squared().mean()
        Autodiff.backward(loss, into: first.parameters)
        #expect(second.weight.grad == nil && second.bias.grad == nil)
        let onlyFirst = first.parameters.map { $0.grad!.data }
        for parameter in first.parameters { parameter.grad = nil }
        loss.backward()
        #expect(zip(onlyFirst, first.parameters.map { $0.grad!.data }).allSatisfy { $0 == $1 })
        #expect(second.weight.grad != nil)
    }
}
