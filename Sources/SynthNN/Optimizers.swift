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
            let (momentum, weightDecay, learningRate) = (self.momentum, self.weightDecay, self.learningRate)
            grad.data.withUnsafeBufferPointer { g in
                velocity[index].withUnsafeMutableBufferPointer { velocity in
                    parameter.data.withUnsafeMutableBufferPointer { p in
                        for i in 0..<p.count {
                            var step = g[i] + weightDecay * p[i]
                            if momentum != 0 {
                                velocity[i] = momentum * velocity[i] + step
                                step = velocity[i]
                            }
                            p[i] -= learningRate * step
                        }
                    }
                }
            }
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
        let inverseCorrection2 = 1 / correction2
        let (beta1, beta2, epsilon) = (self.beta1, self.beta2, self.epsilon)
        let decay = decoupled ? 1 - learningRate * weightDecay : 1
        let l2 = decoupled ? 0 : weightDecay
        for (index, parameter) in parameters.enumerated() {
            guard let grad = parameter.grad else { continue }
            grad.data.withUnsafeBufferPointer { g in
                m[index].withUnsafeMutableBufferPointer { m in
                    v[index].withUnsafeMutableBufferPointer { v in
                        parameter.data.withUnsafeMutableBufferPointer { p in
                            Self.update(p.baseAddress!, g.baseAddress!, m.baseAddress!, v.baseAddress!, count: p.count,
                                        beta1: beta1, beta2: beta2, l2: l2, decay: decay, stepSize: stepSize,
                                        inverseCorrection2: inverseCorrection2, epsilon: epsilon)
                        }
                    }
                }
            }
        }
    }
}

extension Adam {
    /// One Adam update of `count` parameters, eight lanes at a time. Each lane computes exactly
    /// the scalar formula (IEEE sqrt and division, no fused multiply-add), so the result does not
    /// depend on the vector width.
    @inline(__always)
    static func update(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                       _ v: UnsafeMutablePointer<Float>, count: Int, beta1: Float, beta2: Float, l2: Float, decay: Float,
                       stepSize: Float, inverseCorrection2: Float, epsilon: Float) {
        typealias V = SIMD8<Float>
        let b1 = V(repeating: beta1), c1 = V(repeating: 1 - beta1), b2 = V(repeating: beta2), c2 = V(repeating: 1 - beta2)
        let l2v = V(repeating: l2), decayV = V(repeating: decay), stepV = V(repeating: stepSize)
        let inverseV = V(repeating: inverseCorrection2), epsilonV = V(repeating: epsilon)
        var i = 0
        while i + 8 <= count {
            let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
            let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self) + l2v * pi
            let mi = b1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + c1 * gi
            let vi = b2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + c2 * gi * gi
            UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
            UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
            let updated = decayV * pi - stepV * mi / ((vi * inverseV).squareRoot() + epsilonV)
            UnsafeMutableRawPointer(p + i).storeBytes(of: updated, as: V.self)
            i += 8
        }
        while i < count {
            let gi = g[i] + l2 * p[i]
            let mi = beta1 * m[i] + (1 - beta1) * gi
            let vi = beta2 * v[i] + (1 - beta2) * gi * gi
            m[i] = mi
            v[i] = vi
            p[i] = decay * p[i] - stepSize * mi / ((vi * inverseCorrection2).squareRoot() + epsilon)
            i += 1
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
