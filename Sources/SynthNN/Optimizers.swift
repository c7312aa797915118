import Foundation

/// Updates parameters from their accumulated `grad`.
public protocol Optimizer: AnyObject {
    var parameters: [Tensor] { get }
    func step()
}

extension Optimizer {
    /// Forgets the accumulated gradients.
    public func zeroGrad() { for parameter in parameters { parameter.grad = nil } }
}

/// Stochastic gradient descent with momentum and L2 weight decay (as PyTorch's SGD).
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let momentum: Float
    public let weightDecay: Float
    private var velocity: [[Float]]

    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.momentum = momentum
        self.weightDecay = weightDecay
        velocity = parameters.map { Array(repeating: 0, count: $0.count) }
    }

    public func step() {
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            var values = parameter.data
            for i in values.indices {
                var g = grad.data[i] + weightDecay * values[i]
                if momentum != 0 {
                    velocity[index][i] = momentum * velocity[index][i] + g
                    g = velocity[index][i]
                }
                values[i] -= learningRate * g
            }
            parameter.assign(values)
        }
    }
}

/// Adam (Kingma and Ba 2015), with PyTorch's L2 weight decay (`decoupled: false`) or AdamW's
/// decoupled weight decay (Loshchilov and Hutter 2019, `decoupled: true`).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float
    public let beta1: Float
    public let beta2: Float
    public let epsilon: Float
    public let weightDecay: Float
    public let decoupled: Bool
    private var m: [[Float]]
    private var v: [[Float]]
    private var t = 0

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                epsilon: Float = 1e-8, weightDecay: Float = 0, decoupled: Bool = false) {
        self.parameters = parameters
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        m = parameters.map { Array(repeating: 0, count: $0.count) }
        v = m
    }

    /// AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch's AdamW).
    public static func adamW(_ parameters: [Tensor], learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999,
                             epsilon: Float = 1e-8, weightDecay: Float = 0.01) -> Adam {
        Adam(parameters, learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, decoupled: true)
    }

    public func step() {
        t += 1
        let correction1 = 1 - Foundation.pow(beta1, Float(t))
        let correction2 = 1 - Foundation.pow(beta2, Float(t))
        let stepSize = learningRate / correction1
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            var values = parameter.data
            grad.data.withUnsafeBufferPointer { g in
                m[index].withUnsafeMutableBufferPointer { m in
                    v[index].withUnsafeMutableBufferPointer { v in
                        for i in 0..<values.count {
                            var gi = g[i]
                            if decoupled { values[i] -= learningRate * weightDecay * values[i] } else { gi += weightDecay * values[i] }
                            m[i] = beta1 * m[i] + (1 - beta1) * gi
                            v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
                            let denominator = (v[i] / correction2).squareRoot() + epsilon
                            values[i] -= stepSize * m[i] / denominator
                        }
                    }
                }
            }
            parameter.assign(values)
        }
    }
}

public enum GradientClipping {
    /// Scales every gradient so that their joint L2 norm is at most `maxNorm`; returns the norm
    /// before clipping.
    @discardableResult
    public static func clipNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
        var total: Double = 0
        for parameter in parameters { if let g = parameter.grad { for x in g.data { total += Double(x) * Double(x) } } }
        let norm = Float(total.squareRoot())
        if norm > maxNorm {
            let scale = maxNorm / (norm + 1e-6)
            for parameter in parameters { if let g = parameter.grad { g.assign(g.data.map { $0 * scale }) } }
        }
        return norm
    }
}
