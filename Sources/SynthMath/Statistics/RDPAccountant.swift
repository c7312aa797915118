import Foundation

/// Rényi-DP accounting of the Poisson-subsampled Gaussian mechanism (DP-SGD), with the orders and
/// the RDP-to-(ε, δ) conversion of Google's `dp_accounting` RdpAccountant:
/// - RDP at order α of one step with sampling rate q and noise multiplier σ is log(A_α)/(α − 1),
///   A_α from the binomial expansion for integer α and from the two-sided series with erfc for
///   fractional α (Mironov, Talwar and Zhang 2019, §3.3);
/// - T steps compose additively;
/// - ε = min over α of rdp + log(1 − 1/α) − log(δ·α)/(α − 1) (Balle et al. 2020, Prop. 12), with
///   ε = 0 where δ² + exp(−rdp) − 1 > 0 (the KL bound) and orders below 1.01 skipped.
public enum RDPAccountant {
    /// 1.1, 1.2, …, 10.9, then 11 … 63, 128, 256, 512, 1024.
    public static let defaultOrders: [Double] = {
        let fractional: [Double] = (1..<100).map { (x: Int) -> Double in 1 + Double(x) / 10.0 }
        let integral: [Double] = (11..<64).map { (x: Int) -> Double in Double(x) }
        return fractional + integral + [128, 256, 512, 1024]
    }()

    /// RDP of one step at each order.
    public static func rdp(samplingRate q: Double, noiseMultiplier sigma: Double, orders: [Double] = defaultOrders) -> [Double] {
        precondition(q >= 0 && q <= 1, "sampling rate \(q) outside [0, 1]")
        precondition(sigma >= 0, "noise multiplier \(sigma) is negative")
        return orders.map { alpha in
            if q == 0 { return 0 }
            if alpha.isInfinite || sigma == 0 { return .infinity }
            if q == 1 { return alpha / (2 * sigma * sigma) }
            return logA(q: q, sigma: sigma, alpha: alpha) / (alpha - 1)
        }
    }

    /// ε for `steps` steps at δ, and the order that gives it.
    public static func epsilon(samplingRate q: Double, noiseMultiplier sigma: Double, steps: Int, delta: Double,
                               orders: [Double] = defaultOrders) -> (epsilon: Double, order: Double) {
        let perStep = rdp(samplingRate: q, noiseMultiplier: sigma, orders: orders)
        return epsilon(orders: orders, rdp: perStep.map { $0 * Double(steps) }, delta: delta)
    }

    /// The conversion from RDP values at `orders` to ε at δ.
    public static func epsilon(orders: [Double], rdp: [Double], delta: Double) -> (epsilon: Double, order: Double) {
        precondition(delta >= 0, "delta \(delta) is negative")
        if delta == 0 { return rdp.allSatisfy { $0 == 0 } ? (0, 0) : (.infinity, 0) }
        var best = (epsilon: Double.infinity, order: orders.first ?? 0)
        for (alpha, r) in zip(orders, rdp) {
            let candidate: Double
            if r < 0 {
                candidate = 0
            } else if delta * delta + Foundation.expm1(-r) > 0 {
                candidate = 0
            } else if alpha > 1.01 {
                candidate = r + Foundation.log1p(-1 / alpha) - Foundation.log(delta * alpha) / (alpha - 1)
            } else {
                candidate = .infinity
            }
            if candidate < best.epsilon { best = (candidate, alpha) }
        }
        return (Swift.max(0, best.epsilon), best.order)
    }

    /// The smallest noise multiplier (to a relative 1e-6 of itself) whose ε for `steps` steps at δ
    /// is at most `targetEpsilon`; nil when even σ = 10⁴ does not reach it.
    public static func noiseMultiplier(forEpsilon targetEpsilon: Double, samplingRate q: Double, steps: Int, delta: Double,
                                       orders: [Double] = defaultOrders) -> Double? {
        func eps(_ sigma: Double) -> Double { epsilon(samplingRate: q, noiseMultiplier: sigma, steps: steps, delta: delta, orders: orders).epsilon }
        var high = 1.0
        while eps(high) > targetEpsilon {
            high *= 2
            if high > 1e4 { return nil }
        }
        var low = high / 2
        if eps(low) <= targetEpsilon { low = 0 }
        while high - low > 1e-6 * high {
            let mid = (low + high) / 2
            if eps(mid) > targetEpsilon { low = mid } else { high = mid }
        }
        return high
    }

    // MARK: - log(A_α)

    static func logA(q: Double, sigma: Double, alpha: Double) -> Double {
        alpha.rounded() == alpha ? logAInteger(q: q, sigma: sigma, alpha: Int(alpha)) : logAFractional(q: q, sigma: sigma, alpha: alpha)
    }

    static func logAdd(_ x: Double, _ y: Double) -> Double {
        let a = Swift.min(x, y), b = Swift.max(x, y)
        if a == -.infinity { return b }
        return Foundation.log1p(Foundation.exp(a - b)) + b
    }

    static func logBinomial(_ n: Double, _ k: Double) -> Double {
        logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1)
    }

    static func logAInteger(q: Double, sigma: Double, alpha: Int) -> Double {
        var logA = -Double.infinity
        let log1mq = Foundation.log1p(-q), logq = Foundation.log(q)
        for i in 0...alpha {
            let fi = Double(i)
            let coefficient = logBinomial(Double(alpha), fi) + fi * logq + Double(alpha - i) * log1mq
            logA = logAdd(logA, coefficient + (fi * fi - fi) / (2 * sigma * sigma))
        }
        return logA
    }

    static func logAFractional(q: Double, sigma: Double, alpha: Double) -> Double {
        var logA0 = -Double.infinity, logA1 = -Double.infinity
        let z0 = sigma * sigma * Foundation.log(1 / q - 1) + 0.5
        let log1mq = Foundation.log1p(-q), logq = Foundation.log(q)
        var lastS0 = -Double.infinity, lastS1 = -Double.infinity
        for i in 0..<1000 {
            let fi = Double(i)
            let coefficient = logBinomial(alpha, fi)
            let j = alpha - fi
            let logT0 = coefficient + fi * logq + j * log1mq
            let logT1 = coefficient + j * logq + fi * log1mq
            let logE0 = Foundation.log(0.5) + logErfc((fi - z0) / (2.0.squareRoot() * sigma))
            let logE1 = Foundation.log(0.5) + logErfc((z0 - j) / (2.0.squareRoot() * sigma))
            let logS0 = logT0 + (fi * fi - fi) / (2 * sigma * sigma) + logE0
            let logS1 = logT1 + (j * j - j) / (2 * sigma * sigma) + logE1
            logA0 = logAdd(logA0, logS0)
            logA1 = logAdd(logA1, logS1)
            let total = logAdd(logA0, logA1)
            if logS0 < lastS0 && logS1 < lastS1 && Swift.max(logS0, logS1) < total - 30 { return total }
            lastS0 = logS0
            lastS1 = logS1
        }
        return .infinity
    }

    /// log(erfc(x)), accurate in the far tail (Laurent series at infinity where erfc underflows).
    static func logErfc(_ x: Double) -> Double {
        let r = Foundation.erfc(x)
        if r > 1e-300 { return Foundation.log(r) }
        let x2 = x * x
        var value: Double = -Foundation.log(Double.pi) / 2 - Foundation.log(x) - x2
        value += -0.5 / x2 + 0.625 / (x2 * x2)
        value += -37.0 / 24.0 / (x2 * x2 * x2) + 353.0 / 64.0 / (x2 * x2 * x2 * x2)
        return value
    }
}
