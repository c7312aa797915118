import Foundation

/// Linear-interpolation quantile of an ascending sample (type 7, as numpy's default):
/// q in [0, 1] maps to position q·(n−1).
public func interpolatedQuantile(sorted values: [Double], _ q: Double) -> Double {
    precondition(!values.isEmpty, "interpolatedQuantile needs a non-empty sample")
    let position = min(max(q, 0), 1) * Double(values.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, values.count - 1)
    let fraction = position - Double(lower)
    return values[lower] + (values[upper] - values[lower]) * fraction
}

/// Mean and sample standard deviation (n − 1) by Welford's method; nil for an empty sample.
public func meanAndStandardDeviation(_ values: [Double]) -> (mean: Double, standardDeviation: Double)? {
    guard !values.isEmpty else { return nil }
    // Squares of values beyond 1e150 overflow, and of values under 1e-150 underflow to zero:
    // such values are summed as fractions of the largest magnitude, and scaled back.
    let largest = values.lazy.map(\.magnitude).max()!
    let scale = largest.isFinite && (largest > 1e150 || (largest > 0 && largest < 1e-150)) ? largest : 1
    var mean = 0.0, m2 = 0.0
    for (index, value) in values.enumerated() {
        let x = value / scale
        let delta = x - mean
        mean += delta / Double(index + 1)
        m2 += delta * (x - mean)
    }
    let variance = values.count > 1 ? m2 / Double(values.count - 1) : 0
    return (mean * scale, variance.squareRoot() * scale)
}
