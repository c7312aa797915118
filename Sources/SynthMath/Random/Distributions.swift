import Foundation

extension Philox {
    /// Laplace(0, scale) by inversion.
    public mutating func nextLaplace(scale: Double) -> Double {
        let u = nextOpenUniform() - 0.5
        let magnitude = -scale * Foundation.log(1 - 2 * Swift.abs(u))
        return u < 0 ? -magnitude : magnitude
    }

    /// An index in 0..<cumulative.count drawn with probability proportional to the increments of
    /// `cumulative` (a non-decreasing array whose last element is the total weight, > 0).
    public mutating func nextIndex(cumulative: [Double]) -> Int {
        precondition(!cumulative.isEmpty, "nextIndex(cumulative:) needs at least one weight")
        let target = nextUniform() * cumulative[cumulative.count - 1]
        var low = 0, high = cumulative.count - 1
        while low < high {
            let mid = (low + high) / 2
            if cumulative[mid] > target { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// Shuffles `items` in place (Fisher–Yates, from the last element down).
    public mutating func shuffle<T>(_ items: inout [T]) {
        for index in stride(from: items.count - 1, to: 0, by: -1) {
            items.swapAt(index, nextInt(below: index + 1))
        }
    }

    /// 0..<count in a random order.
    public mutating func permutation(_ count: Int) -> [Int] {
        var order = Array(0..<count)
        shuffle(&order)
        return order
    }

    /// An integer uniformly in 0..<bound without modulo bias.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        return Int(next(upperBound: UInt64(bound)))
    }
}

extension Philox {
    /// A standard normal draw (Box–Muller on two open uniforms; one draw per call, so a stream's
    /// n-th normal does not depend on how earlier draws were used).
    public mutating func nextNormal() -> Double {
        let u = nextOpenUniform(), v = nextUniform()
        return (-2 * Foundation.log(u)).squareRoot() * Foundation.cos(2 * Double.pi * v)
    }

    /// Normal(mean, sd).
    public mutating func nextNormal(mean: Double, standardDeviation: Double) -> Double {
        mean + standardDeviation * nextNormal()
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (2000); shapes below 1 use the boost
    /// Gamma(a) = Gamma(a + 1) · U^(1/a).
    public mutating func nextGamma(shape: Double) -> Double {
        precondition(shape > 0, "nextGamma(shape:) needs a positive shape")
        if shape < 1 {
            let boost = Foundation.pow(nextOpenUniform(), 1 / shape)
            return nextGamma(shape: shape + 1) * boost
        }
        let d = shape - 1.0 / 3.0
        let c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = nextOpenUniform()
            if u < 1 - 0.0331 * x * x * x * x { return d * v }
            if Foundation.log(u) < 0.5 * x * x + d * (1 - v + Foundation.log(v)) { return d * v }
        }
    }

    /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
    public mutating func nextBeta(_ a: Double, _ b: Double) -> Double {
        let x = nextGamma(shape: a), y = nextGamma(shape: b)
        return x / (x + y)
    }

    /// A standard Gumbel draw, −log(−log U).
    public mutating func nextGumbel() -> Double {
        -Foundation.log(-Foundation.log(nextOpenUniform()))
    }

    /// An index in 0..<probabilities.count drawn with the given (unnormalized, non-negative) weights.
    public mutating func nextCategorical(_ weights: [Double]) -> Int {
        var cumulative = weights
        for index in cumulative.indices.dropFirst() { cumulative[index] += cumulative[index - 1] }
        return nextIndex(cumulative: cumulative)
    }
}
