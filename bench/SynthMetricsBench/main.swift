// Distance to closest record, timed: reads a training and a synthetic CSV, puts both in
// privacy_risk's record space, and finds every synthetic row's nearest and second-nearest
// training rows with the blocked BLAS search. bench/validators.py runs it beside sdmetrics.
//
//     synthmetrics-bench TRAIN.csv SYNTHETIC.csv
import Foundation
import SynthKit
import SynthMath
import SynthMetrics

func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: synthmetrics-bench TRAIN.csv SYNTHETIC.csv\n".utf8))
    exit(2)
}
BLASThreads.count = 1
do {
    var start = DispatchTime.now()
    let train = try CSVReader.read(path: arguments[1])
    var options = CSVOptions()
    options.kindOverrides = Dictionary(uniqueKeysWithValues: train.columns.map { ($0.name, $0.kind) })
    let synthetic = try CSVReader.read(path: arguments[2], options: options)
    let read = seconds(since: start)
    start = DispatchTime.now()
    let encoder = RecordEncoder(reference: train)
    let trainPoints = try encoder.encode(train), syntheticPoints = try encoder.encode(synthetic)
    let encode = seconds(since: start)
    start = DispatchTime.now()
    let (nearest, _) = try nearestNeighbourDistances(queries: syntheticPoints, references: trainPoints, width: encoder.width)
    let search = seconds(since: start)
    let result: [String: Any] = [
        "train_rows": train.rowCount, "synthetic_rows": synthetic.rowCount, "width": encoder.width,
        "read_seconds": read, "encode_seconds": encode, "search_seconds": search,
        "dcr_median": median(nearest) ?? -1,
    ]
    print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("synthmetrics-bench: \(error)\n".utf8))
    exit(1)
}
