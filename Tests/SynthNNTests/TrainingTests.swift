import Foundation
import SynthKit
import SynthMath
import Testing
@testable import SynthNN

@Suite("Layers, optimizers, per-example gradients, determinism, checkpoints")
struct TrainingTests {
    @Test func perExampleGradientsEqualOneExampleAtATime() {
        var random = Philox(seed: 11)
        let first = Linear(6, 5, random: &random), second = Linear(5, 3, random: &random)
        let x = Tensor.randn(7, 6, random: &random)
        let targets = [0, 2, 1, 1, 0, 2, 2]
        // The batch loss is the sum of the examples' losses, so ∂L/∂output row i is example i's error.
        let hidden = first(x)
        let activated = hidden.tanh()
        let logits = second(activated)
        let loss = Loss.crossEntropy(logits, targets: targets) * Float(targets.count)
        let errors = Autodiff.gradients(of: loss, with: [hidden, logits])
        let firstPer = PerExampleGradients.linear(input: x, outputGradient: errors[0])
        let secondPer = PerExampleGradients.linear(input: activated, outputGradient: errors[1])
        let firstNorms = PerExampleGradients.linearSquaredNorms(input: x, outputGradient: errors[0])

        for i in 0..<targets.count {
            let xi = x.gatherRows([i])
            let li = Loss.crossEntropy(second(first(xi).tanh()), targets: [targets[i]])
            let g = Autodiff.gradients(of: li, with: [first.weight, first.bias, second.weight, second.bias])
            let one = firstPer.weight.gatherRows([i]).data
            for (a, b) in zip(one, g[0].data) { #expect(abs(a - b) < 1e-5) }
            for (a, b) in zip(firstPer.bias.gatherRows([i]).data, g[1].data) { #expect(abs(a - b) < 1e-5) }
            for (a, b) in zip(secondPer.weight.gatherRows([i]).data, g[2].data) { #expect(abs(a - b) < 1e-5) }
            for (a, b) in zip(secondPer.bias.gatherRows([i]).data, g[3].data) { #expect(abs(a - b) < 1e-5) }
            let norm = (g[0].data + g[1].data).reduce(0) { $0 + $1 * $1 }
            #expect(abs(firstNorms[i] - norm) < 1e-4 * max(1, norm))
        }
        // The clipped sum is one matrix product: Σ cᵢ gᵢ.
        let scales: [Float] = [1, 0.5, 0.25, 1, 0.1, 0.9, 0.3]
        let summed = PerExampleGradients.linearWeightedSum(input: x, outputGradient: errors[0], scales: scales)
        for k in 0..<summed.weight.count {
            let expected = (0..<7).reduce(Float(0)) { $0 + scales[$1] * firstPer.weight.data[$1 * 30 + k] }
            #expect(abs(summed.weight.data[k] - expected) < 1e-5)
        }
    }

    /// A small generator-shaped network trained for a few steps.
    func trainedParameters(seed: UInt64) -> [[Float]] {
        var random = Philox(seed: seed)
        let network = Sequential([Residual(8, 16, random: &random), Linear(24, 4, random: &random), Dropout(0.3, random: random.derive("dropout"))])
        let optimizer = Adam(network.parameters, learningRate: 1e-2)
        var data = random.derive("data")
        for _ in 0..<20 {
            let x = Tensor.randn(32, 8, random: &data)
            let loss = Loss.mse(network(x), x.columns(0..<4).tanh())
            optimizer.zeroGrad()
            loss.backward()
            GradientClipping.clipNorm(network.parameters, maxNorm: 1)
            optimizer.step()
        }
        return (network.namedParameters + network.namedBuffers).map(\.tensor.data)
    }

    @Test func theSameSeedGivesBitIdenticalParametersWhateverTheThreadCount() {
        let saved = BLASThreads.count
        defer { BLASThreads.count = saved }
        BLASThreads.count = 1
        let one = trainedParameters(seed: 5)
        #expect(trainedParameters(seed: 5) == one)
        BLASThreads.count = 2
        #expect(trainedParameters(seed: 5) == one)
        #expect(trainedParameters(seed: 6) != one)
    }

    @Test func batchNormKeepsRunningStatisticsAsPyTorchDoes() {
        let norm = BatchNorm1d(2)
        let x = Tensor([[1, 10], [3, 14], [5, 18]])
        let y = norm(x)
        // Batch mean (3, 14), biased variance (8/3, 32/3), unbiased (4, 16).
        #expect(abs(y[0, 0] - (-2 / (Float(8.0 / 3) + 1e-5).squareRoot())) < 1e-5)
        #expect(abs(norm.runningMean.data[0] - 0.3) < 1e-6 && abs(norm.runningMean.data[1] - 1.4) < 1e-6)
        #expect(abs(norm.runningVariance.data[0] - (0.9 + 0.4)) < 1e-6 && abs(norm.runningVariance.data[1] - (0.9 + 1.6)) < 1e-5)
        norm.isTraining = false
        let z = norm(Tensor([[0.3, 1.4]]))
        #expect(abs(z[0, 0]) < 1e-6 && abs(z[0, 1]) < 1e-6)
    }

    @Test func optimizersFollowTheirUpdateRules() {
        let p = Tensor([[1, -2]], requiresGrad: true)
        p.grad = Tensor([[0.5, 0.5]])
        let sgd = SGD([p], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        sgd.step()
        #expect(abs(p.data[0] - (1 - 0.1 * 0.6)) < 1e-6 && abs(p.data[1] - (-2 - 0.1 * 0.3)) < 1e-6)

        let q = Tensor([[1, -2]], requiresGrad: true)
        q.grad = Tensor([[0.5, -0.25]])
        let adamw = Adam.adamW([q], learningRate: 0.1, weightDecay: 0.5)
        adamw.step()
        // First step: m̂ = g, v̂ = g², so the step is lr · sign(g) (up to ε), after decay by lr · wd.
        #expect(abs(q.data[0] - (1 * 0.95 - 0.1)) < 1e-5 && abs(q.data[1] - (-2 * 0.95 + 0.1)) < 1e-5)

        // Adam minimizes a quadratic.
        let x = Tensor([[3, -4]], requiresGrad: true)
        let adam = Adam([x], learningRate: 0.1)
        for _ in 0..<300 {
            adam.zeroGrad()
            (x - Tensor([[1, 2]])).squared().sum().backward()
            adam.step()
        }
        #expect(abs(x.data[0] - 1) < 1e-2 && abs(x.data[1] - 2) < 1e-2)

        let r = Tensor([[3, 4]], requiresGrad: true)
        r.grad = Tensor([[3, 4]])
        #expect(GradientClipping.clipNorm([r], maxNorm: 1) == 5)
        #expect(abs(r.grad!.data[0] - 0.6) < 1e-5)
    }

    @Test func checkpointsSaveAndLoad() throws {
        var random = Philox(seed: 1)
        let network = Sequential([Residual(3, 4, random: &random), Linear(7, 2, random: &random)])
        _ = network(Tensor.randn(5, 3, random: &random))   // moves the running statistics
        let path = NSTemporaryDirectory() + "synthnn-\(UUID().uuidString).ckpt"
        try Checkpoint.save(network, to: path)
        var other = Philox(seed: 2)
        let copy = Sequential([Residual(3, 4, random: &other), Linear(7, 2, random: &other)])
        try Checkpoint.load(copy, from: path)
        #expect((copy.namedParameters + copy.namedBuffers).map(\.tensor.data) == (network.namedParameters + network.namedBuffers).map(\.tensor.data))
        let wrong = Sequential([Linear(3, 2, random: &other)])
        #expect(throws: Checkpoint.Failure.self) { try Checkpoint.load(wrong, from: path) }
        try Data("junk".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: Checkpoint.Failure.self) { try Checkpoint.load(copy, from: path) }
    }
}
