import Foundation
import SynthMath

/// Operations made of the primitive ones (so their gradients, and gradients of those, follow).
extension Tensor {
    /// Softmax over each row.
    public func softmax() -> Tensor {
        let shifted = self - max(axis: 1).detached()
        let e = shifted.exp()
        return e / e.sum(axis: 1)
    }

    /// log(softmax(x)) over each row, computed stably.
    public func logSoftmax() -> Tensor {
        let shifted = self - max(axis: 1).detached()
        return shifted - shifted.exp().sum(axis: 1).log()
    }

    /// Gumbel-softmax (Jang et al. 2017): softmax((x + g) / tau) with g standard Gumbel noise per
    /// value, drawn from `random`.
    public func gumbelSoftmax(tau: Float, random: inout Philox) -> Tensor {
        ((self + Tensor(rows: rows, columns: columns, data: Tensor.gumbelNoise(count, random: &random))) / tau).softmax()
    }

    /// `count` standard Gumbel values, −log(−log u) for open uniforms u drawn from `random`.
    static func gumbelNoise(_ count: Int, random: inout Philox) -> [Float] {
        var values = openUniform(count, random: &random)
        values.withUnsafeMutableBufferPointer { values in
            VectorMath.log(values)
            for i in values.indices { values[i] = -values[i] }
            VectorMath.log(values)
            for i in values.indices { values[i] = -values[i] }
        }
        return values
    }

    /// Zeroes each value with probability p and scales the others by 1 / (1 − p) (inverted dropout).
    public func dropout(_ p: Float, random: inout Philox) -> Tensor {
        precondition(p >= 0 && p < 1, "dropout probability \(p) outside [0, 1)")
        if p == 0 { return self }
        let keep = 1 / (1 - p)
        var mask = Tensor.openUniform(count, random: &random)
        for i in mask.indices { mask[i] = mask[i] < p ? 0 : keep }
        return self * Tensor(rows: rows, columns: columns, data: mask)
    }

    /// Batch normalization of each column with the batch's mean and (biased) variance.
    public func batchNormalized(epsilon: Float = 1e-5) -> (normalized: Tensor, mean: Tensor, variance: Tensor) {
        let mean = self.mean(axis: 0)
        let centered = self - mean
        let variance = centered.squared().mean(axis: 0)
        return (centered / (variance + epsilon).sqrt(), mean, variance)
    }
}

/// Loss functions; each returns a 1 × 1 tensor (the mean over the rows unless said otherwise).
public enum Loss {
    /// Cross-entropy of the logits' softmax against class indices.
    public static func crossEntropy(_ logits: Tensor, targets: [Int]) -> Tensor {
        precondition(targets.count == logits.rows, "crossEntropy: \(targets.count) targets for \(logits.rows) rows")
        var onehot = [Float](repeating: 0, count: logits.count)
        for (row, target) in targets.enumerated() {
            precondition(target >= 0 && target < logits.columns, "crossEntropy: class \(target) of \(logits.columns)")
            onehot[row * logits.columns + target] = 1
        }
        let picked = (logits.logSoftmax() * Tensor(rows: logits.rows, columns: logits.columns, data: onehot)).sum()
        return -picked / Float(logits.rows)
    }

    /// Cross-entropy against target probabilities (rows of `targets` sum to 1).
    public static func crossEntropy(_ logits: Tensor, probabilities targets: Tensor) -> Tensor {
        -(logits.logSoftmax() * targets).sum() / Float(logits.rows)
    }

    /// Mean squared error.
    public static func mse(_ prediction: Tensor, _ target: Tensor) -> Tensor {
        (prediction - target).squared().mean()
    }

    /// Mean negative Gaussian log-likelihood of x under N(mean, exp(logVariance)), per value.
    public static func gaussianNegativeLogLikelihood(_ x: Tensor, mean: Tensor, logVariance: Tensor) -> Tensor {
        let log2pi = Float(Foundation.log(2 * Double.pi))
        return (((x - mean).squared() / logVariance.exp() + logVariance + log2pi) * 0.5).mean()
    }

    /// KL(N(mu, exp(logVariance)) ‖ N(0, 1)), summed over the columns, averaged over the rows.
    public static func klStandardNormal(mean: Tensor, logVariance: Tensor) -> Tensor {
        klStandardNormalSum(mean: mean, logVariance: logVariance) / Float(mean.rows)
    }

    /// The same KL divergence summed over the rows too (a sum of per-row losses, as DP-SGD needs).
    public static func klStandardNormalSum(mean: Tensor, logVariance: Tensor) -> Tensor {
        ((mean.squared() + logVariance.exp() - logVariance - 1) * 0.5).sum()
    }
}
