import Foundation
import SynthMath
import Testing
@testable import SynthKit

@Suite("Reversible transforms")
struct TransformTests {
    static let datasets = ["adult.csv", "beijing_pm25.csv", "covid_testing.csv", "german_credit.csv", "insurance.csv", "nyc_taxis.csv"]

    /// The inverse gives the column back exactly as text: categories, missing values, integers,
    /// datetimes, and continuous values too, since each is put back on the grid of the column's
    /// decimals (23.845269987, never 23.845269987000002).
    static func sameColumn(_ a: Column, _ b: Column) -> String? {
        guard a.kind == b.kind, a.count == b.count else { return "kind \(a.kind)/\(b.kind), rows \(a.count)/\(b.count)" }
        for row in 0..<a.count {
            guard a.isMissing(row) == b.isMissing(row) else { return "row \(row): missing \(a.isMissing(row)) vs \(b.isMissing(row))" }
            if a.isMissing(row) { continue }
            let (x, y) = (a.text(at: row) ?? "-", b.text(at: row) ?? "-")
            if x == y { continue }
            // A source value that is itself a float's rounding error (covid_testing.csv's
            // 6.699999999999999, 17 significant digits) comes back on its column's grid.
            if case .continuous(let values) = a.values, x.filter(\.isNumber).count >= 16, let back = Double(y),
               Swift.abs(values[row] - back) <= 1e-14 * Swift.abs(back), y.count < x.count {
                continue
            }
            return "row \(row): \(x) vs \(y)"
        }
        return nil
    }

    @Test("every transform round-trips on every column", arguments: datasets)
    func roundTrips(_ dataset: String) throws {
        let table = try CSVReader.read(path: TestData.path(dataset))
        var random = Philox(seed: 1)
        for column in table.columns {
            var transforms: [(String, ColumnTransform, [[Double]])] = []
            switch column.kind {
            case .categorical, .boolean:
                let oneHot = try OneHotEncoder(fitting: column), label = try LabelEncoder(fitting: column)
                let frequency = try FrequencyEncoder(fitting: column)
                transforms = [("one-hot", oneHot, oneHot.forward(column)), ("label", label, label.forward(column)),
                              ("frequency", frequency, frequency.forward(column)),
                              ("frequency (uniform in interval)", frequency, frequency.forward(column, random: &random))]
            default:
                for method in [NumericEncoder.Method.identity, .standard, .quantileNormal] {
                    let encoder = try NumericEncoder(fitting: column, method: method)
                    transforms.append(("numeric \(method)", encoder, encoder.forward(column)))
                }
                if column.kind == .integer, let domain = try? CategoryDomain(valuesOf: column), domain.count <= 200 {
                    // An integer column of up to 200 values round-trips with its values as
                    // categories, whether or not a generator would take so many as categories.
                    let values = OneHotEncoder(domain: domain)
                    transforms.append(("integer values as categories", values, values.forward(column)))
                }
                if column.kind == .continuous || column.kind == .integer {
                    let modes = try ModeSpecificNormalization(fitting: column, random: &random)
                    transforms.append(("mode-specific", modes, modes.forward(column)))
                    transforms.append(("mode-specific (sampled modes)", modes, modes.forward(column, random: &random)))
                    let masses = try ModeSpecificNormalization(fitting: column, pointMassShare: 0.3, random: &random)
                    transforms.append(("mode-specific with point masses", masses, masses.forward(column, random: &random)))
                }
            }
            for (name, transform, encoded) in transforms {
                #expect(encoded.count == transform.width && encoded.allSatisfy { $0.count == column.count })
                #expect(encoded.allSatisfy { $0.allSatisfy(\.isFinite) }, "\(dataset) \(column.name) \(name): non-finite encoding")
                let back = transform.inverse(encoded, name: column.name)
                let problem = Self.sameColumn(column, back)
                #expect(problem == nil, "\(dataset) \(column.name) \(name): \(problem ?? "")")
            }
        }
    }

    /// Histogram edges follow from the range, the grid and the bin count alone.
    @Test func histogramEdgesGiveTheEndValuesTheirOwnBins() {
        // A narrow integer range: one bin per value, centred on it.
        #expect(histogramEdges(low: 1, high: 3, bins: 32, resolution: 1, onePerValue: 256) == [0.5, 1.5, 2.5, 3.5])
        // A range of five orders of magnitude (capital-gain's): 0 and 99999 each alone, and bins
        // between that widen in equal ratios, each on half steps and at least one step wide.
        let wide = histogramEdges(low: 0, high: 99_999, bins: 32, resolution: 1, onePerValue: 0)
        #expect(wide.count <= 33 && wide.count >= 25, "\(wide)")
        #expect(wide.prefix(2) == [-0.5, 0.5] && wide.suffix(2) == [99_998.5, 99_999.5])
        #expect(wide.allSatisfy { ($0 - 0.5).rounded() == $0 - 0.5 }, "half steps: \(wide)")
        let inner = zip(wide.dropFirst(1), wide.dropFirst(2)).dropLast().map { $1 - $0 }
        #expect(inner.allSatisfy { $0 >= 1 } && inner.last! > 10 * inner[inner.count / 2], "\(inner)")
        // Its values of a few thousand fall in bins narrower than equal widths would be (3333).
        let around = binIndex(of: 5000, edges: wide)
        #expect(wide[around + 1] - wide[around] < 3333, "\(wide)")
        #expect(binIndex(of: 0, edges: wide) == 0 && binIndex(of: 1, edges: wide) == 1 && binIndex(of: 99_999, edges: wide) == wide.count - 2)
        // Asked not to (bayesian_network), it keeps equal widths.
        let even = histogramEdges(low: 0, high: 99_999, bins: 32, resolution: 1, onePerValue: 0, geometric: false)
        let evenWidths = zip(even.dropFirst(1), even.dropFirst(2)).dropLast().map { $1 - $0 }
        #expect(even.count == 33 && evenWidths.allSatisfy { abs($0 - 99_998.0 / 30) < 1e-6 })
        // A range of less than three orders of magnitude above its low end keeps equal widths
        // (fnlwgt's: 12285 to 1484705; age's: 17 to 90).
        for (low, high) in [(12_285.0, 1_484_705.0), (17.0, 90.0)] {
            let edges = histogramEdges(low: low, high: high, bins: 32, resolution: 1, onePerValue: 0)
            let widths = zip(edges.dropFirst(1), edges.dropFirst(2)).dropLast().map { $1 - $0 }
            #expect(edges.count == 33 && widths.allSatisfy { abs($0 - widths[0]) < 1e-6 }, "\(low)…\(high)")
        }
        // Two decimals: the end bins are one step wide.
        let money = histogramEdges(low: 1.25, high: 9.75, bins: 8, resolution: 0.01, onePerValue: 0)
        #expect(money.count == 9 && abs(money[1] - money[0] - 0.01) < 1e-12 && abs(money[8] - money[7] - 0.01) < 1e-12)
        // No grid, or too few bins: equal widths over [low, high].
        #expect(histogramEdges(low: 0, high: 1, bins: 4, resolution: 0, onePerValue: 0) == [0, 0.25, 0.5, 0.75, 1])
        #expect(histogramEdges(low: 0, high: 30, bins: 3, resolution: 1, onePerValue: 0) == [0, 10, 20, 30])
    }

    @Test func frequencyIntervalsFollowTheCounts() throws {
        let column = Column(name: "c", values: .categorical(codes: [0, 1, 1, 1, 2, 2, 0, 1], levels: ["a", "b", "c"]),
                            missing: [false, false, false, false, false, false, false, true])
        let encoder = try FrequencyEncoder(fitting: column)
        // b: 3 rows, then a and c with 2, then missing with 1: in that order.
        #expect(encoder.order == [1, 0, 2, 3])
        #expect(encoder.bounds == [0, 0.375, 0.625, 0.875, 1])
        #expect(encoder.forward(column)[0] == [0.5, 0.1875, 0.1875, 0.1875, 0.75, 0.75, 0.5, 0.9375])
    }

    @Test func quantileNormalScoresAreNormalAndOrdered() throws {
        var random = Philox(seed: 4)
        let values = (0..<5000).map { _ in random.nextGamma(shape: 2) }
        let column = Column(name: "g", values: .continuous(values))
        let encoder = try NumericEncoder(fitting: column, method: .quantileNormal)
        let scores = encoder.forward(column)[0]
        let (mean, sd) = meanAndStandardDeviation(scores)!
        #expect(Swift.abs(mean) < 0.01 && Swift.abs(sd - 1) < 0.02)
        let order = values.indices.sorted { values[$0] < values[$1] }
        #expect(zip(order, order.dropFirst()).allSatisfy { scores[$0] <= scores[$1] })
    }

    /// k-means++ never starts two clusters on one value while others are free, so a column of few
    /// distinct values (adult's education-num: 16 levels, a third of the rows at 9) gets its mixture
    /// spread over them instead of stacked on the commonest: as scikit-learn's fit of these data
    /// does, 14 and 16 fall in different modes, and no two kept modes share a mean.
    @Test func theMixtureSpreadsOverFewDistinctValues() throws {
        let table = try CSVReader.read(path: TestData.path("adult.csv"))
        let column = try #require(table.columns.first { $0.name == "education-num" })
        for seed: UInt64 in [1, 2, 3] {
            var random = Philox(seed: seed)
            let transform = try ModeSpecificNormalization(fitting: column, random: &random)
            let means = transform.modes.map { transform.mixture.means[$0] }.sorted()
            #expect(zip(means, means.dropFirst()).allSatisfy { $1 - $0 > 0.05 }, "seed \(seed): kept modes \(means)")
            func mode(of x: Double) -> Int {
                let p = transform.mixture.probabilities(x, components: transform.modes)
                return p.indices.max { p[$0] < p[$1] }!
            }
            #expect(mode(of: 14) != mode(of: 16), "seed \(seed): kept modes \(means)")
            #expect(mode(of: 9) != mode(of: 10), "seed \(seed): kept modes \(means)")
        }
    }

    /// A value that at least the given share of a column's present values hold is a mode of its
    /// own: it encodes with α = 0 and decodes to itself whatever α the network gives, and the
    /// mixture is fitted on the other values.
    @Test func aPointMassIsAModeOfItsOwn() throws {
        let table = try CSVReader.read(path: TestData.path("adult.csv"))
        let gain = try #require(table.columns.first { $0.name == "capital-gain" })
        var random = Philox(seed: 3)
        let transform = try ModeSpecificNormalization(fitting: gain, pointMassShare: 0.5, random: &random)
        #expect(transform.pointMasses == [0])
        #expect(transform.modeCount == transform.modes.count + 1 && transform.width == 1 + transform.modeCount)
        // The mixture sees only the gains above 0 (the smallest is 114).
        #expect(transform.modes.allSatisfy { transform.mixture.means[$0] > 100 }, "\(transform.modes.map { transform.mixture.means[$0] })")
        let encoded = transform.forward(gain, random: &random)
        let gains = try #require(gain.presentNumbers())
        #expect(gain.missingCount == 0)
        let zeros = gains.indices.filter { gains[$0] == 0 }
        #expect(zeros.count > gain.count / 2)
        #expect(zeros.allSatisfy { encoded[0][$0] == 0 && encoded[1 + transform.modes.count][$0] == 1 })
        // Any α decodes to exactly 0 under the point mass's mode.
        var generated = [[0.9, -0.5, 0.003]] + Array(repeating: [0.0, 0, 0], count: transform.width - 1)
        generated[1 + transform.modes.count] = [1, 1, 1]
        #expect(transform.inverse(generated, name: "capital-gain").presentNumbers() == [0, 0, 0])
        // Without a share, or with one no value reaches, the column is the mixture's alone.
        let plain = try ModeSpecificNormalization(fitting: gain, random: &random)
        #expect(plain.pointMasses.isEmpty && plain.modeCount == plain.modes.count)
        let hours = try #require(table.columns.first { $0.name == "hours-per-week" })
        #expect(try ModeSpecificNormalization(fitting: hours, pointMassShare: 0.5, random: &random).pointMasses.isEmpty)
        #expect(try ModeSpecificNormalization(fitting: hours, pointMassShare: 0.4, random: &random).pointMasses == [40])
        // A column of one value has no other value to fit a mixture on: no point mass.
        let constant = Column(name: "k", values: .continuous([5, 5, 5, 5]))
        #expect(try ModeSpecificNormalization(fitting: constant, pointMassShare: 0.5, random: &random).pointMasses.isEmpty)
        // A transform saved before point masses existed reads back with none.
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(plain)) as! [String: Any]
        json.removeValue(forKey: "pointMasses")
        let old = try JSONDecoder().decode(ModeSpecificNormalization.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old == plain)
    }

    @Test func kMeansSeparatesWellSpacedGroups() {
        var random = Philox(seed: 5)
        // Three groups of unequal size, on repeated values; fewer distinct values than clusters
        // leaves the extra clusters on duplicates without losing a group.
        let values = Array(repeating: 0.0, count: 500) + Array(repeating: 10.0, count: 30) + Array(repeating: 11.0, count: 20)
            + Array(repeating: 50.0, count: 5)
        let labels = kMeansLabels(values, clusters: 3, random: &random)
        #expect(Set(labels[0..<500]).count == 1 && Set(labels[500..<550]).count == 1 && Set(labels[550...]).count == 1)
        #expect(Set([labels[0], labels[500], labels[550]]).count == 3)
        let many = kMeansLabels(values, clusters: 8, random: &random)
        #expect(Set([many[0], many[500], many[530], many[550]]).count == 4)
        var again = Philox(seed: 5)
        #expect(kMeansLabels(values, clusters: 3, random: &again) == labels)
    }

    /// Under privacy a transform's layout comes from public metadata only: two columns that differ
    /// in whether one cell is missing give the same layout, with a missing indicator or category
    /// either way, and the missing cell round-trips.
    @Test func privateLayoutsDoNotTellWhetherACellIsMissing() throws {
        let numbers = Column(name: "x", values: .continuous([1, 2, 3, 4]))
        let holed = Column(name: "x", values: .continuous([1, 2, 3, 4]), missing: [false, true, false, false])
        let a = try ModeSpecificNormalization(publicRangeOf: numbers, bounds: 0...10)
        let b = try ModeSpecificNormalization(publicRangeOf: holed, bounds: 0...10)
        #expect(a == b && a.hasMissing && a.width == 3)
        let back = b.inverse(b.forward(holed), name: "x")
        #expect(back.isMissing(1) && !back.isMissing(0) && abs(back.presentNumbers()![0] - 1) < 1e-9)
        let levels = Column(name: "c", values: .categorical(codes: [0, 1, 0], levels: ["a", "b"]))
        let holedLevels = Column(name: "c", values: .categorical(codes: [0, 1, 0], levels: ["a", "b"]), missing: [false, false, true])
        let plain = try CategoryDomain(levels)
        #expect(!plain.hasMissing && plain.count == 2)
        #expect(plain.withMissing() == (try CategoryDomain(holedLevels)).withMissing())
        #expect(plain.withMissing().count == 3 && plain.withMissing().codes(holedLevels) == [0, 1, 2])
        #expect(plain.withMissing().column([1, 2], name: "c").isMissing(1))
    }

    @Test func theMixtureFindsTheModes() throws {
        var random = Philox(seed: 8)
        let values = (0..<6000).map { i -> Double in
            i % 3 == 0 ? random.nextNormal(mean: -10, standardDeviation: 1) : random.nextNormal(mean: 20, standardDeviation: 2)
        }
        let transform = try ModeSpecificNormalization(fitting: Column(name: "x", values: .continuous(values)), random: &random)
        let kept = transform.modes.map { (mean: transform.mixture.means[$0], weight: transform.mixture.weights[$0], sd: transform.mixture.variances[$0].squareRoot()) }
        // As scikit-learn's BayesianGaussianMixture does on these data, the wide mode may be split
        // among several components; together they carry its weight and sit on its mean.
        let low = kept.filter { $0.mean < 5 }, high = kept.filter { $0.mean >= 5 }
        #expect(Swift.abs(low.reduce(0) { $0 + $1.weight } - 1.0 / 3) < 0.01, "\(kept)")
        #expect(Swift.abs(high.reduce(0) { $0 + $1.weight } - 2.0 / 3) < 0.01, "\(kept)")
        #expect(low.filter { $0.weight > 0.05 }.allSatisfy { Swift.abs($0.mean + 10) < 0.3 })
        #expect(high.filter { $0.weight > 0.05 }.allSatisfy { Swift.abs($0.mean - 20) < 2 })
        #expect(transform.modes.count <= 10)
        #expect(transform.modes.allSatisfy { transform.mixture.weights[$0] > 0.005 })
    }

    @Test func normalQuantileInvertsTheCDF() {
        for p in [1e-12, 1e-6, 0.01, 0.2, 0.5, 0.77, 0.999, 1 - 1e-9] {
            #expect(Swift.abs(normalCDF(normalQuantile(p)) - p) < 1e-12 * Swift.max(1, p / 1e-3))
        }
        #expect(Swift.abs(normalQuantile(0.975) - 1.959963984540054) < 1e-12)
        #expect(Swift.abs(digamma(1) + 0.5772156649015329) < 1e-12)
        #expect(Swift.abs(digamma(0.5) - (-1.9635100260214235)) < 1e-12)
    }
}
