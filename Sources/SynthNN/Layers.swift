import Foundation
import SynthMath

/// A building block of a network: a function of a batch (rows) with parameters.
public protocol Layer: AnyObject {
    func callAsFunction(_ input: Tensor) -> Tensor
    /// The trainable tensors, with names unique within the layer.
    var namedParameters: [(name: String, tensor: Tensor)] { get }
    /// State that is saved but not trained (batch norm's running statistics).
    var namedBuffers: [(name: String, tensor: Tensor)] { get }
    /// Training mode (batch statistics, dropout) or evaluation mode.
    var isTraining: Bool { get set }
}

extension Layer {
    public var namedBuffers: [(name: String, tensor: Tensor)] { [] }
    public var parameters: [Tensor] { namedParameters.map(\.tensor) }
}

/// y = x·W + b, with W of `inputs × outputs` initialized as PyTorch does: U(−1/√in, 1/√in).
public final class Linear: Layer {
    public let weight: Tensor
    public let bias: Tensor
    public var isTraining = true

    public init(_ inputs: Int, _ outputs: Int, random: inout Philox) {
        let bound = 1 / Float(inputs).squareRoot()
        weight = Tensor.uniform(inputs, outputs, low: -bound, high: bound, random: &random, requiresGrad: true)
        bias = Tensor.uniform(1, outputs, low: -bound, high: bound, random: &random, requiresGrad: true)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor { input.linear(weight, bias) }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weight), ("bias", bias)] }
}

/// Batch normalization over the columns (Ioffe and Szegedy 2015), with PyTorch's defaults:
/// momentum 0.1, ε = 1e-5, running variance unbiased.
public final class BatchNorm1d: Layer {
    public let gamma: Tensor
    public let beta: Tensor
    public let runningMean: Tensor
    public let runningVariance: Tensor
    public let momentum: Float
    public let epsilon: Float
    public var isTraining = true

    public init(_ features: Int, momentum: Float = 0.1, epsilon: Float = 1e-5) {
        gamma = Tensor.full(1, features, 1).requiringGrad()
        beta = Tensor.zeros(1, features, requiresGrad: true)
        runningMean = Tensor.zeros(1, features)
        runningVariance = Tensor.full(1, features, 1)
        self.momentum = momentum
        self.epsilon = epsilon
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        if isTraining {
            let (output, mean, variance) = input.batchNorm(gamma: gamma, beta: beta, epsilon: epsilon)
            let n = Float(input.rows)
            let unbiased = n > 1 ? n / (n - 1) : 1
            runningMean.assign(zip(runningMean.data, mean).map { (1 - momentum) * $0 + momentum * $1 })
            runningVariance.assign(zip(runningVariance.data, variance).map { (1 - momentum) * $0 + momentum * $1 * unbiased })
            return output
        }
        return (input - runningMean) / (runningVariance + epsilon).sqrt() * gamma + beta
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("gamma", gamma), ("beta", beta)] }
    public var namedBuffers: [(name: String, tensor: Tensor)] { [("running_mean", runningMean), ("running_var", runningVariance)] }
}

/// Inverted dropout in training mode; the identity in evaluation mode.
public final class Dropout: Layer {
    public let probability: Float
    public var random: Philox
    public var isTraining = true

    public init(_ probability: Float, random: Philox) {
        self.probability = probability
        self.random = random
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        isTraining ? input.dropout(probability, random: &random) : input
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }
}

/// An activation function as a layer.
public final class Activation: Layer {
    public enum Kind: Sendable { case relu, leakyRelu(Float), tanh, sigmoid }
    public let kind: Kind
    public var isTraining = true

    public init(_ kind: Kind) { self.kind = kind }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        switch kind {
        case .relu: input.relu()
        case .leakyRelu(let slope): input.leakyRelu(slope)
        case .tanh: input.tanh()
        case .sigmoid: input.sigmoid()
        }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [] }
}

/// CTGAN's residual block: concat(relu(batchnorm(linear(x))), x), so the width grows by `outputs`.
public final class Residual: Layer {
    public let linear: Linear
    public let norm: BatchNorm1d
    public var isTraining = true {
        didSet { norm.isTraining = isTraining }
    }

    public init(_ inputs: Int, _ outputs: Int, random: inout Philox) {
        linear = Linear(inputs, outputs, random: &random)
        norm = BatchNorm1d(outputs)
    }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.concatColumns([norm(linear(input)).relu(), input])
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        linear.namedParameters.map { ("linear.\($0.name)", $0.tensor) } + norm.namedParameters.map { ("norm.\($0.name)", $0.tensor) }
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] { norm.namedBuffers.map { ("norm.\($0.name)", $0.tensor) } }
}

/// Layers applied one after another.
public final class Sequential: Layer {
    public let layers: [Layer]
    public var isTraining = true {
        didSet { for layer in layers { layer.isTraining = isTraining } }
    }

    public init(_ layers: [Layer]) { self.layers = layers }

    public func callAsFunction(_ input: Tensor) -> Tensor {
        layers.reduce(input) { $1($0) }
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedParameters.map { ("\(index).\($0.name)", $0.tensor) } }
    }

    public var namedBuffers: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { index, layer in layer.namedBuffers.map { ("\(index).\($0.name)", $0.tensor) } }
    }
}
