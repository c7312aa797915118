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

    /// An integer uniformly in 0..<bound without modulo bias.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound")
        return Int(next(upperBound: UInt64(bound)))
    }
}
