import Foundation
import SynthMath
import Testing
@testable import SynthKit

struct SharedDatasetTests {
    private func kinds(_ table: Table) -> [String: ColumnKind] {
        Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.kind) })
    }

    @Test func adult() throws {
        let table = try CSVReader.read(path: TestData.path("adult.csv"))
        #expect(table.rowCount == 32_561)
        #expect(table.columns.count == 15)
        let k = kinds(table)
        for name in ["age", "fnlwgt", "education-num", "capital-gain", "capital-loss", "hours-per-week"] { #expect(k[name] == .integer) }
        for name in ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country", "income"] {
            #expect(k[name] == .categorical)
        }
        // `?` is missing, and the leading blank of `, State-gov` is gone.
        #expect(table.column(named: "workclass")?.missingCount == 1_836)
        #expect(table.column(named: "occupation")?.missingCount == 1_843)
        #expect(table.column(named: "native-country")?.missingCount == 583)
        guard case .categorical(_, let levels)? = table.column(named: "workclass")?.values else { Issue.record("workclass"); return }
        #expect(levels.contains("State-gov"))
        #expect(levels.count == 8)
        guard case .categorical(_, let income)? = table.column(named: "income")?.values else { Issue.record("income"); return }
        #expect(income == ["<=50K", ">50K"])
    }

    @Test func nycTaxis() throws {
        let table = try CSVReader.read(path: TestData.path("nyc_taxis.csv"))
        #expect(table.rowCount == 6_433)
        let k = kinds(table)
        #expect(k["pickup"] == .datetime && k["dropoff"] == .datetime)
        #expect(k["passengers"] == .integer)
        for name in ["distance", "fare", "tip", "tolls", "total"] { #expect(k[name] == .continuous) }
        for name in ["color", "payment", "pickup_zone", "dropoff_zone", "pickup_borough", "dropoff_borough"] { #expect(k[name] == .categorical) }
        #expect(table.column(named: "payment")?.missingCount == 44)
        #expect(table.column(named: "pickup_zone")?.missingCount == 26)
        #expect(table.column(named: "dropoff_borough")?.missingCount == 45)
        guard case .datetime(let pickups)? = table.column(named: "pickup")?.values else { Issue.record("pickup"); return }
        #expect(DateTimeFormat.format(microseconds: pickups[0], dateOnly: false) == "2019-03-23 20:21:09")
    }

    @Test func germanCredit() throws {
        let table = try CSVReader.read(path: TestData.path("german_credit.csv"))
        #expect(table.rowCount == 1_000)
        let k = kinds(table)
        for name in ["months_loan_duration", "amount", "age", "installment_rate", "residence_history", "existing_credits", "dependents", "default"] {
            #expect(k[name] == .integer)
        }
        #expect(k.values.filter { $0 == .categorical }.count == 13)
        #expect(table.columns.allSatisfy { $0.missingCount == 0 })
    }

    @Test func insuranceWithoutFinalNewline() throws {
        let table = try CSVReader.read(path: TestData.path("insurance.csv"))
        #expect(table.rowCount == 1_338)
        let k = kinds(table)
        #expect(k["age"] == .integer && k["children"] == .integer)
        #expect(k["bmi"] == .continuous && k["charges"] == .continuous)
        #expect(k["sex"] == .categorical && k["smoker"] == .categorical && k["region"] == .categorical)
    }

    @Test func covidTesting() throws {
        let table = try CSVReader.read(path: TestData.path("covid_testing.csv"))
        #expect(table.rowCount == 15_524)
        let k = kinds(table)
        for name in ["rownames", "subject_id", "pan_day", "drive_thru_ind", "orderset"] { #expect(k[name] == .integer) }
        for name in ["gender", "test_id", "clinic_name", "result", "demo_group", "payor_group", "patient_class", "fake_first_name", "fake_last_name"] {
            #expect(k[name] == .categorical)
        }
        for name in ["col_rec_tat", "rec_ver_tat"] { #expect(k[name] == .continuous) }
        #expect(table.column(named: "payor_group")?.missingCount == 7_087)
        #expect(table.column(named: "patient_class")?.missingCount == 7_077)
        #expect(table.column(named: "ct_result")?.missingCount == 209)
        #expect(table.column(named: "fake_first_name")?.missingCount == 63)
    }

    @Test func beijingWithCRLFAndNoFinalNewline() throws {
        let table = try CSVReader.read(path: TestData.path("beijing_pm25.csv"))
        #expect(table.rowCount == 43_824)
        let k = kinds(table)
        for name in ["No", "year", "month", "day", "hour"] { #expect(k[name] == .integer) }
        #expect(k["pm2.5"] == .integer)
        #expect(k["cbwd"] == .categorical)
        for name in ["Iws", "PRES", "TEMP", "DEWP"] { #expect(k[name] == .continuous || k[name] == .integer) }
        #expect(k["Iws"] == .continuous)
        #expect(table.column(named: "pm2.5")?.missingCount == 2_067)
        // No carriage return leaks into the last column's values.
        guard case .integer(let ir)? = table.column(named: "Ir")?.values else { Issue.record("Ir is \(String(describing: k["Ir"]))"); return }
        #expect(ir.last == 0)
    }
}

struct MalformedCSVTests {
    private func error(_ text: String, options: CSVOptions = CSVOptions()) -> CSVError? {
        do {
            _ = try CSVReader.parse(text: text, file: "input.csv", options: options)
            return nil
        } catch {
            return error
        }
    }

    private func bytesError(_ bytes: [UInt8]) -> CSVError? {
        do {
            _ = try CSVReader.parse(bytes: bytes, file: "input.csv")
            return nil
        } catch {
            return error
        }
    }

    @Test func raggedRowNamesItsLine() {
        let failure = error("a,b\n1,2\n3\n4,5\n")
        #expect(failure?.problem == .raggedRow(found: 1, expected: 2))
        #expect(failure?.line == 3)
        #expect(failure?.description == "input.csv:3: the row has 1 field, the header has 2")
    }

    @Test func invalidUTF8() {
        let failure = bytesError(Array("a,b\n1,2\n".utf8) + [0x33, 0xFF, 0x2C, 0x34, 0x0A])
        #expect(failure?.problem == .invalidUTF8)
        #expect(failure?.line == 3)
    }

    /// UTF-16 text, as spreadsheets save "Unicode text", is named as such, with or without its
    /// byte-order mark, and so is a binary file.
    @Test func utf16AndBinaryFilesAreNamed() {
        let text = Array("a,b\n1,x\n".utf16)
        let littleEndian = text.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian = text.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(bytesError([0xFF, 0xFE] + littleEndian)?.description
                == "input.csv: the file is UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8")
        #expect(bytesError([0xFE, 0xFF] + bigEndian)?.problem == .utf16)
        let bare = bytesError(littleEndian)
        #expect(bare?.problem == .nulByte)
        #expect(bare?.line == 1)
        #expect(bare?.description.hasPrefix("input.csv:1: a NUL byte: the file is not UTF-8 text") == true)
        let late = bytesError(Array("a,b\n1,2\n3,".utf8) + [0, 4, 0x0A])
        #expect(late?.problem == .nulByte)
        #expect(late?.line == 3)
    }

    /// A file whose reading would take more memory than the machine has is refused before it is
    /// read: by its size, by the fields its text holds, or as its gzip data grows past it.
    @Test func filesLargerThanMemoryAreRefused() throws {
        let path = TestData.path("insurance.csv")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        var options = CSVOptions()
        options.memory = UInt64(size - 1)
        #expect {
            _ = try CSVReader.read(path: path, options: options)
        } throws: { error in
            (error as? CSVError)?.description == "\(path): the file holds \(MemoryNeeds.shown(Double(size))) of text, more than this "
                + "machine's \(MemoryNeeds.shown(Double(size - 1))) of memory; read a part of it (head -n, split -l)"
        }
        let text = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        let needed = text.withUnsafeBufferPointer { MemoryNeeds.csvReading($0, delimiter: 44) }
        // The text, 17 bytes for each of 1,338 rows of 7 fields and the header, 32 for each line.
        #expect(needed == Double(size + 1339 * 7 * 17 + 1339 * 32), "insurance.csv has no final newline")
        options.memory = UInt64(needed) - 1
        #expect {
            _ = try CSVReader.parse(bytes: text, file: "insurance.csv", options: options)
        } throws: { error in
            (error as? CSVError)?.description.hasPrefix("insurance.csv: reading its \(MemoryNeeds.shown(Double(size))) of text would take about "
                                                        + "\(MemoryNeeds.shown(needed)) (the text, and 17 bytes for each field), more than") == true
        }
        options.memory = UInt64(needed)
        #expect(try CSVReader.parse(bytes: text, file: "insurance.csv", options: options).rowCount == 1338)
        options.memory = UInt64(size / 2)
        #expect {
            _ = try CSVReader.parse(bytes: Gzip.compress(text), file: "insurance.csv.gz", options: options)
        } throws: { error in
            (error as? CSVError)?.problem == .tooLarge("once decompressed, the gzip data holds more than \(MemoryNeeds.shown(Double(size / 2))), "
                                                       + "more than this machine's memory can read")
        }
        // A pipe is refused as soon as it has given more than the limit.
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writeEnd = ends[1]
        let writer = Thread {
            let line = Array("a,b\n".utf8)
            for _ in 0..<25_000 { _ = line.withUnsafeBufferPointer { write(writeEnd, $0.baseAddress!, $0.count) } }
            close(writeEnd)
        }
        writer.start()
        #expect(throws: FileBytes.Failure.tooLarge(10_000, whole: false)) {
            _ = try FileBytes.read("/dev/fd/\(ends[0])", text: true, limit: 10_000)
        }
        // The rest is drained, so that the writer ends without writing into a closed pipe.
        var rest = [UInt8](repeating: 0, count: 1 << 16)
        while rest.withUnsafeMutableBytes({ read(ends[0], $0.baseAddress, $0.count) }) > 0 {}
        close(ends[0])
        // Eight bytes at a time, the delimiters and line ends are counted as one at a time.
        var random = Philox(seed: 3, stream: 0)
        for length in 0..<200 {
            let choices: [UInt8] = [44, 10, 59, 0x2C | 0x80, 0x0A | 0x80, 0, 255, 97]
            let bytes: [UInt8] = (0..<length).map { _ in choices[random.nextInt(below: choices.count)] }
            let fields = 1 + bytes.count { $0 == 44 || $0 == 10 }, lines = 1 + bytes.count { $0 == 10 }
            #expect(bytes.withUnsafeBufferPointer { MemoryNeeds.csvReading($0, delimiter: 44) }
                    == Double(length + fields * 17 + lines * 32), "\(bytes)")
        }
        #expect(MemoryNeeds.shown(25_300_000_000) == "25.3 GB" && MemoryNeeds.shown(975_000_000) == "975 MB" && MemoryNeeds.shown(12) == "12 bytes")
    }

    @Test func emptyAndBlankFiles() {
        #expect(error("")?.problem == .empty)
        #expect(error("\n\r\n  \n")?.problem == .empty)
        #expect(error("")?.description == "input.csv: the file is empty")
    }

    @Test func anEmptyColumnReadsAsMissingAndAppends() throws {
        let first = try CSVReader.parse(text: "a,empty,c\n1,,x\n2,,y\n")
        let empty = try #require(first.column(named: "empty"))
        #expect(empty.kind == .categorical && (0..<2).allSatisfy(empty.isMissing))
        // Rows of a table whose empty column has no levels, after rows of one whose column has some.
        let second = try CSVReader.parse(text: "a,empty,c\n3,p,y\n4,,z\n")
        let joined = try second.appendingRows(of: first)
        #expect(CSVWriter.render(joined) == "a,empty,c\n3,p,y\n4,,z\n1,,x\n2,,y\n")
        #expect(CSVWriter.render(try first.appendingRows(of: second)) == "a,empty,c\n1,,x\n2,,y\n3,p,y\n4,,z\n")
    }

    @Test func headerOnly() {
        #expect(error("a,b,c\n")?.problem == .headerOnly)
        #expect(error("a,b,c")?.line == 1)
    }

    @Test func duplicateColumnNames() {
        let failure = error("x,y,x\n1,2,3\n")
        #expect(failure?.problem == .duplicateColumnName("x", first: 1, second: 3))
        #expect(failure?.description == "input.csv:1: duplicate column name 'x' (columns 1 and 3)")
    }

    @Test func unterminatedQuoteNamesTheLineItOpened() {
        let failure = error("a,b\n1,2\n3,\"never closed\n4,5\n")
        #expect(failure?.problem == .unterminatedQuote)
        #expect(failure?.line == 3)
    }

    @Test func strayQuoteInsideAField() {
        #expect(error("a,b\n1,x\"y\n")?.problem == .unexpectedQuote)
    }

    /// Blanks around fields: trimmed outside quotes, kept inside, allowed before an opening and
    /// after a closing quote; text after a closing quote is refused; a blank line is skipped; the
    /// last record needs no newline; CR, LF and CRLF all end a record.
    @Test func blanksAndQuotesAroundFields() throws {
        let table = try CSVReader.parse(text: "a,b,c\r\n  x , \" y \" ,\"\"\n\n\t\"q\"\t,  ,z\rlast,\"\"\"\",w")
        #expect(table.rowCount == 3)
        #expect((0..<3).map { table.column(named: "a")?.text(at: $0) } == ["x", "q", "last"])
        #expect((0..<3).map { table.column(named: "b")?.text(at: $0) } == [" y ", nil, "\""])
        #expect((0..<3).map { table.column(named: "c")?.text(at: $0) } == [nil, "z", "w"])
        #expect(error("a,b\n\"x\" y,1\n")?.problem == .unexpectedQuote)
        #expect(error("a,b\n\"x\"\"y\",1\n\"a\"b\n")?.problem == .unexpectedQuote)
        #expect(error("a,b\n\"x\"\"y\",1\n\"a\"b\n")?.line == 3)
        let untrimmed = try CSVReader.parse(text: "a\n  x  \n", options: CSVOptions(trimWhitespace: false))
        #expect(untrimmed.column(named: "a")?.text(at: 0) == "  x  ")
    }

    /// Without a delimiter in the options, the reader finds it: the candidate every one of the
    /// first lines holds as often as the header does, outside quotes.
    @Test func theDelimiterIsFoundFromTheFirstLines() throws {
        func detected(_ text: String) -> Character { Character(UnicodeScalar(CSVReader.detectDelimiter(in: Array(text.utf8)))) }
        #expect(detected("a,b\n1,2\n") == ",")
        #expect(detected("a;b;c\r\n1;2,5;3\r\n4;5;6\r\n") == ";")
        #expect(detected("a\tb\n1\t2\n") == "\t")
        #expect(detected("a|b\n1|2\n") == "|")
        // A quoted delimiter is a field's text; a comma and a semicolon in the header once each, the
        // semicolon on every line.
        #expect(detected("\"x;y\",b\n\"1;2\",3\n") == ",")
        #expect(detected("price (eur, gross);qty\n10;2\n11;3\n") == ";")
        // A tie on every line goes to the comma; no candidate at all is one column.
        #expect(detected("a,b;c\n1,2;3\n") == ",")
        #expect(detected("name\nx\n") == ",")
        #expect(detected("") == ",")
        // A record continued in quotes over lines is one line, and blank lines do not count.
        #expect(detected("a;b\n\"two\nlines\";2\n\n3;4\n") == ";")

        let semicolons = try CSVReader.parse(text: "age;city;income\n31;\"Lyon; Rhône\";1200,5\n44;Paris;900\n")
        #expect(semicolons.columnNames == ["age", "city", "income"])
        #expect(semicolons.column(named: "city")?.text(at: 0) == "Lyon; Rhône")
        #expect(semicolons.column(named: "income")?.kind == .categorical, "a decimal comma is text")
        let tabs = try CSVReader.parse(text: "a\tb\n1\t2.5\n")
        #expect(tabs.column(named: "b")?.kind == .continuous)
        // A delimiter in the options is used as it is.
        let forced = try CSVReader.parse(text: "a;b\n1;2\n", options: CSVOptions(delimiter: UInt8(ascii: ",")))
        #expect(forced.columnNames == ["a;b"])
        #expect(CSVOptions.delimiter(named: "tab") == 9 && CSVOptions.delimiter(named: "\t") == 9)
        #expect(CSVOptions.delimiter(named: ";") == UInt8(ascii: ";"))
        for bad in ["", ";;", "\"", "\n", "é"] { #expect(CSVOptions.delimiter(named: bad) == nil, "\(bad)") }
    }

    /// With a decimal comma, a column whose cells are all numbers once their comma is a point
    /// reads as numbers; a column of text keeps its commas, and without the option nothing changes.
    @Test func decimalCommasAreReadWhenAsked() throws {
        let text = "price;count;label;mixed;code\n1,5;3;a,b;1,5;7\n-0,25;4;c;1.200,5;8\n2;;d,e;x;9\n"
        let table = try CSVReader.parse(text: text, options: CSVOptions(decimalComma: true))
        #expect(table.column(named: "price")?.kind == .continuous)
        #expect((0..<3).map { table.column(named: "price")?.text(at: $0) } == ["1.5", "-0.25", "2.0"])
        #expect(table.column(named: "count")?.kind == .integer && table.column(named: "code")?.kind == .integer)
        #expect(table.column(named: "label")?.kind == .categorical)
        #expect(table.column(named: "label")?.text(at: 0) == "a,b")
        #expect(table.column(named: "mixed")?.kind == .categorical)
        #expect(table.column(named: "mixed")?.text(at: 1) == "1.200,5", "a thousands point is not read")
        let plain = try CSVReader.parse(text: text)
        #expect(plain.column(named: "price")?.kind == .categorical)
        #expect(plain.column(named: "price")?.text(at: 0) == "1,5")
        // Read without the option, the column is named as one that would be numbers with it.
        #expect(CSVReader.decimalCommaColumns(plain) == ["price"])
        #expect(CSVReader.decimalCommaColumns(table).isEmpty)
        #expect(CSVReader.decimalCommaColumns(try CSVReader.parse(text: "a;b\n1;x,y\n2;\n-3;1,\n")).isEmpty, "integers alone, or a comma with no digits after it")
        // A forced kind takes the comma too, and a cell that is no number is named.
        let forced = try CSVReader.parse(text: "a;b\n1,5;x\n2;y\n", options: CSVOptions(kindOverrides: ["a": .continuous], decimalComma: true))
        #expect(forced.column(named: "a")?.text(at: 0) == "1.5")
        #expect(error("a;b\n1,5;x\nn/a;y\n", options: CSVOptions(missingTokens: [], kindOverrides: ["a": .continuous], decimalComma: true))?.problem
                == .badValue(column: "a", value: "n/a", kind: .continuous))
    }

    @Test func emptyHeaderName() {
        #expect(error("a,,c\n1,2,3\n")?.problem == .emptyColumnName(column: 2))
    }

    @Test func overrideThatDoesNotFit() {
        let failure = error("a,b\n1,x\n2,y\n", options: CSVOptions(kindOverrides: ["b": .integer]))
        #expect(failure?.problem == .badValue(column: "b", value: "x", kind: .integer))
        #expect(failure?.line == 2)
    }

    @Test func overrideOfAnUnknownColumn() {
        let failure = error("a,b\n1,2\n", options: CSVOptions(kindOverrides: ["zzz": .integer]))
        #expect(failure?.problem == .unknownColumn("zzz", known: ["a", "b"]))
    }

    @Test func missingFile() {
        do {
            _ = try CSVReader.read(path: "/nonexistent/table.csv")
            Issue.record("reading a missing file succeeded")
        } catch {
            #expect(error.description == "/nonexistent/table.csv: cannot read the file: no such file")
        }
    }

    /// A pipe (`/dev/stdin`, a shell's `<(zcat table.csv.gz)`) is read to its end, larger than one read.
    /// `bytes` read by `CSVReader` from a pipe that a thread writes them into.
    private func readThroughPipe(_ bytes: [UInt8]) throws -> Table {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        let writeEnd = ends[1]
        let writer = Thread {
            bytes.withUnsafeBufferPointer { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = write(writeEnd, buffer.baseAddress! + offset, buffer.count - offset)
                    if written <= 0 { break }
                    offset += written
                }
            }
            close(writeEnd)
        }
        writer.start()
        defer { close(ends[0]) }
        return try CSVReader.read(path: "/dev/fd/\(ends[0])")
    }

    /// A pipe is read to its end, text or gzip data (`<(cat adult.csv.gz)`), which holds NUL
    /// bytes that text from a pipe may not.
    @Test func aPipeIsReadToItsEnd() throws {
        let rows = 20_000
        let text = "i,word\n" + (0..<rows).map { "\($0),w\($0 % 7)\n" }.joined()
        #expect(text.utf8.count > 1 << 16)
        let table = try readThroughPipe(Array(text.utf8))
        #expect(table.rowCount == rows && CSVWriter.render(table) == text)
        let compressed = Gzip.compress(Array(text.utf8))
        #expect(compressed.contains(0))
        #expect(CSVWriter.render(try readThroughPipe(compressed)) == text)
    }

    @Test func devicesAreEmptyOrRefused() {
        #expect(throws: CSVError(file: "/dev/null", line: 0, problem: .empty)) { try CSVReader.read(path: "/dev/null") }
        #expect(throws: CSVError(file: "/dev/zero", line: 0, problem: .unreadable("it holds binary data (a NUL byte), not CSV text"))) {
            try CSVReader.read(path: "/dev/zero")
        }
        #expect(throws: CSVError(file: "/tmp", line: 0, problem: .unreadable("it is a directory"))) { try CSVReader.read(path: "/tmp") }
    }
}

struct CSVRoundTripTests {
    @Test func quotedFieldsAndInference() throws {
        let text = "id,name,score,flag,when,zip\n1,\"Smith, J.\",1.5,true,2020-01-02,007\n2,\"say \"\"hi\"\"\nthere\",,FALSE,2020-01-03 04:05:06,010\n"
        let table = try CSVReader.parse(text: text)
        #expect(table.kinds == [.integer, .categorical, .continuous, .boolean, .datetime, .categorical])
        #expect(table.column(named: "name")?.text(at: 0) == "Smith, J.")
        #expect(table.column(named: "name")?.text(at: 1) == "say \"hi\"\nthere")
        #expect(table.column(named: "score")?.isMissing(1) == true)
        let again = try CSVReader.parse(text: CSVWriter.render(table), options: CSVOptions(kindOverrides: ["zip": .categorical]))
        #expect(again == table)
    }

    /// Cells are told apart by their bytes, then as strings: two encodings of one character are
    /// one level, and a cell that equals a missing-value token as a string is missing.
    @Test func cellsCompareAsStrings() throws {
        let decomposed = "e\u{301}", precomposed = "\u{E9}", kelvin = "\u{212A}"
        let text = "h,m\n\(precomposed),K\n\(decomposed),\(kelvin)\n\(precomposed),x\nz,\(kelvin)x\n"
        let table = try CSVReader.parse(text: text, options: CSVOptions(missingTokens: ["K"]))
        guard case .categorical(let codes, let levels)? = table.column(named: "h")?.values else {
            Issue.record("h is categorical")
            return
        }
        #expect(levels == ["z", precomposed])
        #expect(codes == [1, 1, 1, 0])
        #expect(table.column(named: "m")?.missingCount == 2)
        #expect(table.column(named: "m")?.isMissing(1) == true)
    }

    /// Numbers are read from the file's bytes exactly as Double(String) reads their text, and
    /// integers as Int64(String), at every length and at the limits.
    /// Expects each text to read as `Double(String)` reads it (nil where that is not finite), bit
    /// for bit, with strtod and without it; returns how many were read without it.
    private func expectReadAsTheStandardLibrary(_ texts: [String]) -> Int {
        var withoutStrtod = 0
        for text in texts {
            let bytes = Array(text.utf8)
            if let value = bytes.withUnsafeBufferPointer({ CSVReader.exactDecimalValue($0) }) {
                withoutStrtod += 1
                #expect(value.bitPattern == Double(text)?.bitPattern, "\(text), without strtod")
            }
            let number = bytes.withUnsafeBufferPointer { CSVReader.parseNumber($0) }
            let expected = Double(text).flatMap { $0.isFinite ? $0 : nil }
            #expect(number?.bitPattern == expected?.bitPattern, "\(text)")
        }
        return withoutStrtod
    }

    @Test func numbersReadAsTheStandardLibraryReadsThem() {
        var random = Philox(seed: 11, stream: 0)
        var texts = ["0", "-0", "+5", ".5", "-.25", "5.", "1e308", "1.7976931348623157e308", "2.2250738585072014e-308",
                     "4.9e-324", "1e-400", "123456789012345678901234567890", "9007199254740993", "0.1", "-9223372036854775808",
                     "9223372036854775807", "9223372036854775808", "-9223372036854775809", "00012", "1e5", "1E-5", "3.14e+2",
                     "9007199254740992", "9007199254740992e22", "9007199254740992e-22", "1e23", "0.000000000000000000000000001",
                     "-0.0", "0e400", "123.456e-20", "8.98846567431158e307", "1234567890123456789e-3", "12345678901234567890e-3"]
        for round in 0..<6000 {
            // A third of them short, with small exponents: the numbers read without strtod.
            let digits = Int(random.next() % (round % 3 == 0 ? 17 : 25)) + 1
            var text = random.next() % 2 == 0 ? "-" : ""
            for index in 0..<digits {
                if index == Int(random.next() % UInt64(digits + 1)) && !text.contains(".") { text += "." }
                text += String(random.next() % 10)
            }
            if random.next() % 3 == 0 {
                text += "e" + String(round % 3 == 0 ? Int(random.next() % 50) - 25 : Int(random.next() % 640) - 330)
            }
            texts.append(text)
        }
        let exact = expectReadAsTheStandardLibrary(texts)
        for text in texts {
            let integer = Array(text.utf8).withUnsafeBufferPointer { CSVReader.parseInteger($0, allowLeadingZero: true) }
            #expect(integer == (text.allSatisfy { $0.isNumber || $0 == "-" || $0 == "+" } ? Int64(text) : nil), "\(text)")
        }
        #expect(exact > 2000, "most short numbers are read without strtod")
        for text in [".", "-", "+.", "e5", ".e1"] {
            #expect(Array(text.utf8).withUnsafeBufferPointer { CSVReader.exactDecimalValue($0) } == nil, "\(text) has no digit")
        }
    }

    /// Numbers of 16 to 19 significant digits at every power of ten that `EiselLemire` has a power
    /// of five for, and around the ties, the limits and the subnormals, read as `Double(String)`
    /// reads them, bit for bit; those Eisel–Lemire cannot decide go to strtod.
    @Test func longNumbersAtEveryPowerReadAsTheStandardLibraryReadsThem() {
        var random = Philox(seed: 29, stream: 0)
        var texts = ["9007199254740993", "9007199254740995", "9007199254740994", "18014398509481985", "18014398509481987",
                     "36028797018963971", "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308",
                     "2.2250738585072011e-308", "2.2250738585072014e-308", "2.2250738585072009e-308", "4.9406564584124654e-324",
                     "2.4703282292062327e-324", "2.4703282292062328e-324", "1e23", "8.589973e9", "7.2057594037927933e16",
                     "1.00000000000000011102230246251565404236316680908203125", "0.30000000000000004", "9999999999999999999e289",
                     "1844674407370955161", "18446744073709551615", "5e-324", "3.0517578125e-5", "6.103515625e-05",
                     "12345678901234567890123", "0.1000000000000000055511151231257827"]
        for q in -360...330 {
            for round in 0..<12 {
                let digits = 16 + round % 4
                var text = String(1 + random.next() % 9)
                for _ in 1..<digits { text += String(random.next() % 10) }
                texts.append(text + "e\(q)")
                // Halfway-looking significands: ...5, and ...50000 with an odd last digit before it.
                if round == 0 { texts.append(String(text.dropLast(5)) + "50000e\(q)") }
            }
        }
        let decided = expectReadAsTheStandardLibrary(texts)
        #expect(decided > texts.count * 9 / 10, "\(decided) of \(texts.count) without strtod")
    }

    /// Every power of five `EiselLemire` multiplies by is the one its table's comment defines,
    /// recomputed here with integers of any size.
    @Test func thePowersOfFiveAreTheDefinedOnes() {
        /// A non-negative integer as 32-bit limbs, least significant first.
        struct Big: Comparable {
            var limbs: [UInt32]
            init(_ value: UInt64) { limbs = [UInt32(truncatingIfNeeded: value), UInt32(value >> 32)]; trim() }
            mutating func trim() { while limbs.count > 1, limbs.last == 0 { limbs.removeLast() } }
            var bitWidth: Int { (limbs.count - 1) * 32 + (32 - limbs.last!.leadingZeroBitCount) }
            func times(_ factor: UInt32) -> Big {
                var result = self, carry: UInt64 = 0
                for index in result.limbs.indices {
                    let product = UInt64(result.limbs[index]) * UInt64(factor) + carry
                    result.limbs[index] = UInt32(truncatingIfNeeded: product)
                    carry = product >> 32
                }
                if carry > 0 { result.limbs.append(UInt32(carry)) }
                return result
            }
            func shifted(left bits: Int) -> Big {
                var result = Big(0)
                result.limbs = [UInt32](repeating: 0, count: bits / 32) + limbs + [0]
                let small = bits % 32
                if small > 0 {
                    for index in stride(from: result.limbs.count - 1, through: bits / 32, by: -1) {
                        let lower = index > bits / 32 ? result.limbs[index - 1] >> (32 - small) : 0
                        result.limbs[index] = result.limbs[index] << small | lower
                    }
                }
                result.trim()
                return result
            }
            func shifted(right bits: Int) -> Big {
                guard bits < bitWidth else { return Big(0) }
                var result = Big(0)
                result.limbs = Array(limbs[(bits / 32)...])
                let small = bits % 32
                if small > 0 {
                    for index in result.limbs.indices {
                        let upper = index + 1 < result.limbs.count ? result.limbs[index + 1] << (32 - small) : 0
                        result.limbs[index] = result.limbs[index] >> small | upper
                    }
                }
                result.trim()
                return result
            }
            static func < (a: Big, b: Big) -> Bool {
                if a.limbs.count != b.limbs.count { return a.limbs.count < b.limbs.count }
                for index in a.limbs.indices.reversed() where a.limbs[index] != b.limbs[index] { return a.limbs[index] < b.limbs[index] }
                return false
            }
            func minus(_ other: Big) -> Big {
                var result = self, borrow: Int64 = 0
                for index in result.limbs.indices {
                    var difference = Int64(result.limbs[index]) - borrow - (index < other.limbs.count ? Int64(other.limbs[index]) : 0)
                    borrow = difference < 0 ? 1 : 0
                    if difference < 0 { difference += 1 << 32 }
                    result.limbs[index] = UInt32(difference)
                }
                result.trim()
                return result
            }
            /// ⌊2^power / divisor⌋, one bit at a time.
            static func powerOfTwo(_ power: Int, dividedBy divisor: Big) -> Big {
                var quotient = Big(0), remainder = Big(0)
                for bit in stride(from: power, through: 0, by: -1) {
                    remainder = remainder.shifted(left: 1)
                    if bit == power { remainder = Big(1) }
                    quotient = quotient.shifted(left: 1)
                    if !(remainder < divisor) {
                        remainder = remainder.minus(divisor)
                        quotient.limbs[0] |= 1
                    }
                }
                return quotient
            }
            var words: (UInt64, UInt64) {
                func word(_ at: Int) -> UInt64 {
                    (at < limbs.count ? UInt64(limbs[at]) : 0) | (at + 1 < limbs.count ? UInt64(limbs[at + 1]) << 32 : 0)
                }
                return (word(2), word(0))
            }
        }
        var power = Big(1)
        var positive: [Big] = []
        for _ in 0...342 {
            positive.append(power)
            power = power.times(5)
        }
        for q in EiselLemire.smallestPower...EiselLemire.largestPower {
            var value: Big
            if q >= 0 {
                value = positive[q]
                value = value.bitWidth < 128 ? value.shifted(left: 128 - value.bitWidth) : value.shifted(right: value.bitWidth - 128)
            } else {
                let divisor = positive[-q]
                // 2^z: the least power of two at or above 5^-q.
                let z = divisor.bitWidth
                let plusOne = { (big: Big) -> Big in
                    var result = big, index = 0
                    while true {
                        if index == result.limbs.count { result.limbs.append(0) }
                        let (sum, overflow) = result.limbs[index].addingReportingOverflow(1)
                        result.limbs[index] = sum
                        if !overflow { break }
                        index += 1
                    }
                    return result
                }
                if q >= -27 {
                    value = plusOne(Big.powerOfTwo(z + 127, dividedBy: divisor))
                } else {
                    value = plusOne(Big.powerOfTwo(2 * z + 128, dividedBy: divisor))
                    if value.bitWidth > 128 { value = value.shifted(right: value.bitWidth - 128) }
                }
            }
            let entry = 2 * (q - EiselLemire.smallestPower)
            #expect(value.bitWidth == 128, "5^\(q)")
            let (high, low) = value.words
            #expect(powersOfFive128[entry] == high && powersOfFive128[entry + 1] == low, "5^\(q)")
        }
    }

    /// Fields are found again from where their record starts, in the file and among the quoted
    /// fields copied to undo doubled quotes, across blank lines and lines inside quotes.
    @Test func fieldsOfManyRecordsAreFoundAgain() throws {
        let text = "a,b,c\r\n\"x \"\"1\"\"\",  plain ,\"two\nlines\"\r\n\r\n\n\"\"\"\",\"y\",\"z \"\"3\"\"\"\n p ,\"\",q\n"
        let table = try CSVReader.parse(text: text)
        #expect(table.rowCount == 3)
        #expect((0..<3).map { table.column(named: "a")?.text(at: $0) } == ["x \"1\"", "\"", "p"])
        #expect((0..<3).map { table.column(named: "b")?.text(at: $0) } == ["plain", "y", nil])
        #expect((0..<3).map { table.column(named: "c")?.text(at: $0) } == ["two\nlines", "z \"3\"", "q"])
    }

    /// Tables of random text (delimiters, quotes, line ends, blanks and multi-byte characters at
    /// every offset, so at every place in the tokenizer's eight-byte steps) read back as written;
    /// a stray quote or an open one is found on its line.
    @Test func randomTextRoundTripsThroughTheTokenizer() throws {
        var random = Philox(seed: 2026)
        let pieces = ["a", "b", "7", " ", "\t", ",", ";", "\"", "\"\"", "\n", "\r\n", "é", "€", "𝄞", "xyzxyzxyz", "0.5"]
        for round in 0..<40 {
            let width = 1 + random.nextInt(below: 5), rows = 1 + random.nextInt(below: 60)
            let names = (0..<width).map { "c\($0)" }
            var cells = [[String]](repeating: [], count: width)
            for column in 0..<width {
                for _ in 0..<rows {
                    var text = "k"   // never missing, never blank-trimmed to nothing
                    for _ in 0..<random.nextInt(below: 12) { text += pieces[random.nextInt(below: pieces.count)] }
                    cells[column].append(text + "k")
                }
            }
            let table = try Table(columns: zip(names, cells).map { name, texts in
                let levels = Array(Set(texts)).sorted()
                return Column(name: name, values: .categorical(codes: texts.map { Int32(levels.firstIndex(of: $0)!) }, levels: levels))
            })
            let written = CSVWriter.render(table)
            let kinds = Dictionary(uniqueKeysWithValues: names.map { ($0, ColumnKind.categorical) })
            let read = try CSVReader.parse(text: written, file: "round \(round)", options: CSVOptions(missingTokens: [], kindOverrides: kinds, delimiter: 44))
            for column in 0..<width {
                #expect((0..<rows).map { read.columns[column].text(at: $0) } == cells[column], "round \(round), column \(column)")
            }
        }
        // A quote after a closing quote, or one left open, at every offset of a long line.
        for offset in 0..<17 {
            let padding = String(repeating: "p", count: offset)
            let stray = "a,b\n1,2\n\(padding)x,\"q\"\(padding)z\n3,4\n"
            #expect(throws: CSVError(file: "<text>", line: 3, problem: .unexpectedQuote)) { try CSVReader.parse(text: stray) }
            let open = "a,b\n1,2\n\(padding)x,\"\(padding)q\nmore\n"
            #expect(throws: CSVError(file: "<text>", line: 3, problem: .unterminatedQuote)) { try CSVReader.parse(text: open) }
            let inside = "a,b\n\(padding),\"\(padding)line\n\(padding)two\"\n\(padding)x\"y,1\n"
            #expect(throws: CSVError(file: "<text>", line: 4, problem: .unexpectedQuote)) { try CSVReader.parse(text: inside) }
        }
    }

    @Test func sharedFilesRoundTrip() throws {
        for name in ["nyc_taxis.csv", "insurance.csv", "german_credit.csv"] {
            let table = try CSVReader.read(path: TestData.path(name))
            let options = CSVOptions(kindOverrides: Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.kind) }))
            #expect(try CSVReader.parse(text: CSVWriter.render(table), options: options) == table, "\(name)")
        }
    }

    /// Runs the system's gzip with `arguments` on `input`, for its output.
    private func systemGzip(_ arguments: [String], _ input: [UInt8]) throws -> [UInt8] {
        let folder = TestData.temporaryFolder()
        let source = folder + "/in"
        try Data(input).write(to: URL(fileURLWithPath: source))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/gzip")
        process.arguments = arguments + ["-c", source]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "gzip \(arguments)")
        return Array(output)
    }

    /// A gzipped CSV file reads as its text does, whoever compressed it: the system's gzip at its
    /// fastest and its best, or SynthLab's writer, whose files the system's gzip reads back.
    @Test func gzipFilesReadAsTheirText() throws {
        for name in ["insurance.csv", "beijing_pm25.csv"] {
            let text = Array(try Data(contentsOf: URL(fileURLWithPath: TestData.path(name))))
            let plain = try CSVReader.read(path: TestData.path(name))
            for level in ["-1", "-9"] {
                let compressed = try systemGzip([level], text)
                #expect(Gzip.isCompressed(compressed))
                #expect(try Gzip.decompress(compressed) == text)
                #expect(try CSVReader.parse(bytes: compressed, file: name + ".gz") == plain, "\(name) gzip \(level)")
            }
            let ours = Gzip.compress(text)
            #expect(ours.count < text.count / 3, "\(name): \(ours.count) of \(text.count) bytes")
            #expect(try systemGzip(["-d"], ours) == text)
            #expect(Gzip.compress(text) == ours, "the same text compresses to the same bytes")
        }
        // Members one after another come out one after another, as `cat a.gz b.gz | gzip -d` gives them.
        let first = Array("a,b\n1,x\n".utf8), second = Array("2,y\n".utf8)
        #expect(try Gzip.decompress(Gzip.compress(first) + Gzip.compress(second)) == first + second)
        #expect(try Gzip.decompress(Gzip.compress(first) + [0, 0, 0, 0]) == first, "zero padding after the data")
        #expect(try Gzip.decompress(Gzip.compress([])) == [])
        #expect(try CSVReader.parse(bytes: Gzip.compress(first + second), file: "t.csv.gz").rowCount == 2)
    }

    @Test func damagedGzipAndOtherFormatsAreNamed() throws {
        func bytesError(_ bytes: [UInt8]) -> CSVError? {
            do { _ = try CSVReader.parse(bytes: bytes, file: "input.csv"); return nil } catch { return error }
        }
        let text = Array(try Data(contentsOf: URL(fileURLWithPath: TestData.path("insurance.csv"))))
        let compressed = Gzip.compress(text)
        #expect(bytesError(Array(compressed.prefix(compressed.count / 2)))?.description
                == "input.csv: the gzip data ends early (the file is truncated)")
        #expect(bytesError(Array(compressed.dropLast(4)))?.problem == .gzip("the gzip data ends early (the file is truncated)"))
        var flipped = compressed
        flipped[compressed.count / 2] ^= 0xFF
        let damaged = try #require(bytesError(flipped))
        #expect(damaged.description.hasPrefix("input.csv: the gzip data is damaged ("), Comment(rawValue: damaged.description))
        #expect(bytesError(compressed + Array("junk".utf8))?.description == "input.csv: the gzip data is damaged (4 bytes after the end of the compressed data)")
        for (magic, start) in [([0x50, 0x4B, 0x03, 0x04] as [UInt8], "input.csv: the file is a ZIP archive (an Excel .xlsx workbook is one), not CSV text; "),
                               ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00], "input.csv: the file is xz-compressed, not CSV text; decompress it (xz -d)"),
                               (Array("BZh91AY".utf8), "input.csv: the file is bzip2-compressed, not CSV text; "),
                               ([0x28, 0xB5, 0x2F, 0xFD], "input.csv: the file is zstd-compressed, not CSV text; "),
                               (Array("PAR1".utf8), "input.csv: the file is a Parquet file, not CSV text; "),
                               (Array("SQLite format 3\0".utf8), "input.csv: the file is an SQLite database, not CSV text; "),
                               ([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1], "input.csv: the file is an OLE2 document (an Excel .xls workbook is one)")] {
            let description = bytesError(magic + [0, 1, 2, 0x0A])?.description ?? "read"
            #expect(description.hasPrefix(start), Comment(rawValue: description))
        }
        // Text that starts like one of them is still text.
        #expect(try CSVReader.parse(text: "PAR,BZ\n1,2\n").rowCount == 1)
    }

    /// A table written to a `.gz` path is gzip data that reads back to the same table.
    @Test func tablesWrittenToGzPathsAreCompressed() throws {
        let folder = TestData.temporaryFolder()
        let table = try CSVReader.read(path: TestData.path("insurance.csv"))
        try CSVWriter.write(table, to: folder + "/out.csv.gz")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/out.csv.gz")))
        #expect(Gzip.isCompressed(bytes))
        #expect(try systemGzip(["-d"], bytes) == Array(CSVWriter.render(table).utf8))
        let options = CSVOptions(kindOverrides: Dictionary(uniqueKeysWithValues: table.columns.map { ($0.name, $0.kind) }))
        #expect(try CSVReader.read(path: folder + "/out.csv.gz", options: options) == table)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.csv.gz"])
    }

    /// A large table's columns are read in groups, each on a thread of its own; the table is the
    /// same on one thread or many, and so is the first cell that does not read.
    @Test func theTableIsTheSameOnOneThreadOrMany() throws {
        #expect(ColumnReading.groups(width: 20, rowCount: 100, threads: 4) == [0..<20], "a small table is read on one thread")
        #expect(ColumnReading.groups(width: 5, rowCount: 100_000, threads: 8) == [0..<1, 1..<2, 2..<3, 3..<4, 4..<5])
        #expect(ColumnReading.groups(width: 20, rowCount: 100_000, threads: 3) == [0..<6, 6..<13, 13..<20])
        #expect(ColumnReading.groups(width: 20, rowCount: 100_000, threads: 64).count == 8)
        for name in ["adult.csv", "beijing_pm25.csv", "covid_testing.csv"] {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: TestData.path(name))))
            var one = CSVOptions(), many = CSVOptions()
            one.threads = 1
            many.threads = 5
            let table = try CSVReader.parse(bytes: bytes, file: name, options: one)
            #expect(table.rowCount * table.columns.count >= 1 << 18, "\(name) is read in groups")
            #expect(try CSVReader.parse(bytes: bytes, file: name, options: many) == table, "\(name)")
        }
        // 40,000 rows of 10 columns, every kind and missing cells among them.
        var text = "i,x,word,flag,when,maybe,code,big,small,tail\n"
        for row in 0..<40_000 {
            text += "\(row),\(Double(row) / 7),w\(row % 13),\(row % 3 == 0),2020-01-\(10 + row % 20),\(row % 11 == 0 ? "NA" : String(row % 5)),"
                + "0\(row % 9),\(row * 1_000_003),\(Double(row % 100) * 1e-9),\(row % 2 == 0 ? "a" : "b")\n"
        }
        var one = CSVOptions(), many = CSVOptions()
        one.threads = 1
        many.threads = 4
        let table = try CSVReader.parse(text: text, options: one)
        #expect(try CSVReader.parse(text: text, options: many) == table)
        #expect(table.columns.map(\.kind) == [.integer, .continuous, .categorical, .boolean, .datetime, .integer, .categorical, .integer,
                                              .continuous, .categorical])
    }

    /// Inference reads the values it checks (a column's integers, then its numbers from its first
    /// number on, and the integers before it again as numbers); they are the values the column's
    /// kind, given outright, reads cell by cell.
    @Test func valuesReadWhileInferringAreTheKindsValues() throws {
        var random = Philox(seed: 5, stream: 0)
        var text = "late,early,whole,big,missing\n"
        for row in 0..<5000 {
            let late = row < 3000 ? ["-0", "7", "-12", "9007199254740993", "0"][row % 5] : String(Double(random.next() % 100_000) / 64)
            let early = row == 0 ? "0.5" : String(Int(random.next() % 1000) - 500)
            let big = String(Double(bitPattern: 0x3FF0_0000_0000_0000 | random.next() >> 12) * 1e-300)
            text += "\(late),\(early),\(row - 2500),\(big),\(row % 7 == 0 ? "NA" : String(row % 3))\n"
        }
        let inferred = try CSVReader.parse(text: text)
        #expect(inferred.columns.map(\.kind) == [.continuous, .continuous, .integer, .continuous, .integer])
        let kinds = Dictionary(uniqueKeysWithValues: inferred.columns.map { ($0.name, $0.kind) })
        let given = try CSVReader.parse(text: text, options: CSVOptions(kindOverrides: kinds))
        for (a, b) in zip(inferred.columns, given.columns) {
            switch (a.values, b.values) {
            case (.continuous(let x), .continuous(let y)):
                #expect(x.map(\.bitPattern) == y.map(\.bitPattern), "\(a.name)")
            default:
                #expect(a == b, "\(a.name)")
            }
        }
        guard case .continuous(let late) = inferred.column(named: "late")?.values else { Issue.record("late"); return }
        #expect(late[0].sign == .minus && late[0] == 0, "-0 read again as a number is -0.0")
        #expect(late[3] == 9007199254740992, "an integer past 2^53 rounds to even as a number")
    }

    @Test func atomicWriteLeavesNoTemporaryFile() throws {
        let folder = TestData.temporaryFolder()
        let table = try CSVReader.parse(text: "a\n1\n")
        try CSVWriter.write(table, to: folder + "/out.csv")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["out.csv"])
        #expect(throws: AtomicFileError.self) { try CSVWriter.write(table, to: folder + "/missing/out.csv") }
    }

    /// A write that fails after some pieces went to disk leaves the file that was there as it was,
    /// and no temporary file; so does a disk that fills up (/dev/full stands for one).
    @Test func aStreamedWriteThatFailsHalfwayLeavesTheOldFile() throws {
        struct Stop: Error {}
        let folder = TestData.temporaryFolder()
        for name in ["out.csv", "out.csv.gz"] {
            try AtomicFile.write(text: "old\n", to: folder + "/" + name)
            let before = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            #expect(throws: Stop.self) {
                try AtomicFile.write(to: folder + "/" + name) { emit in
                    for _ in 0..<20 { try emit([UInt8](repeating: 65, count: 1 << 18)) }
                    throw Stop()
                }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)) == before, "\(name)")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["out.csv", "out.csv.gz"])
        // A disk with no space left: the write's own error, with the system's words, and the
        // device left as it is.
        let error = try #require(throws: AtomicFileError.self) {
            try AtomicFile.write(to: "/dev/full") { emit in try emit([1, 2, 3]) }
        }
        #expect(error.description == "cannot write /dev/full: No space left on device", "\(error)")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && info.st_mode & S_IFMT == S_IFCHR)
    }

    /// Where a path leads: a file to replace, one of the process's descriptors, or a device or pipe.
    @Test func destinationsAreFilesDescriptorsOrDevices() throws {
        let folder = TestData.temporaryFolder()
        try "x".write(toFile: folder + "/file.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: folder + "/link.csv", withDestinationPath: "file.csv")
        try FileManager.default.createSymbolicLink(atPath: folder + "/out.csv", withDestinationPath: "/dev/stdout")
        #expect(mkfifo(folder + "/pipe", 0o600) == 0)
        let cases: [(String, AtomicFile.Destination)] = [
            (folder + "/new.csv", .file), (folder + "/file.csv", .file), (folder + "/link.csv", .file),
            ("/dev/stdout", .descriptor(1)), ("/dev/stderr", .descriptor(2)), ("/dev/fd/2", .descriptor(2)),
            ("/proc/self/fd/1", .descriptor(1)), ("/proc/\(getpid())/fd/1", .descriptor(1)), (folder + "/out.csv", .descriptor(1)),
            ("/dev/null", .special), (folder + "/pipe", .special),
        ]
        for (path, destination) in cases { #expect(AtomicFile.Destination(path) == destination, "\(path)") }
    }

    /// The text in pieces is the text whole: each piece whole lines, integers of every sign and
    /// size written as their digits, and gzip made of the pieces the same bytes as of the whole.
    @Test func theTextInPiecesIsTheWholeText() throws {
        var random = Philox(seed: 11, stream: 0)
        let rows = 3000
        let integers: [Int64] = (0..<rows).map { row in
            switch row % 5 {
            case 0: Int64.min + Int64(row)
            case 1: Int64.max - Int64(row)
            case 2: 0
            case 3: -Int64(row)
            default: Int64.random(in: -1_000_000...1_000_000, using: &random)
            }
        }
        let table = try Table(columns: [
            Column(name: "i", values: .integer(integers), missing: (0..<rows).map { $0 % 7 == 6 }),
            Column(name: "c, quoted", values: .categorical(codes: (0..<rows).map { Int32($0 % 3) }, levels: ["a", "b \"c\"", " d"])),
            Column(name: "x", values: .continuous((0..<rows).map { Double($0) / 7 })),
            Column(name: "b", values: .boolean((0..<rows).map { $0 % 2 == 0 })),
            Column(name: "t", values: .datetime((0..<rows).map { Int64($0) * 1_000_123 })),
        ])
        var pieces: [[UInt8]] = []
        CSVWriter.chunks(table, size: 1000) { pieces.append($0) }
        #expect(pieces.count > 50)
        #expect(pieces.allSatisfy { $0.last == 10 })
        let whole = CSVWriter.render(table)
        #expect(String(decoding: pieces.joined(), as: UTF8.self) == whole)
        let lines = whole.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "i,\"c, quoted\",x,b,t")
        #expect(lines[1].hasPrefix("-9223372036854775808,a,0.0,true,1970-01-01 00:00:00"))
        #expect(lines[2].hasPrefix("9223372036854775806,\"b \"\"c\"\"\",0.14285714285714285,false,1970-01-01 00:00:01.000123"))
        #expect(lines[3].hasPrefix("0,\" d\","))
        #expect(lines[7].hasPrefix(",a,"), "a missing integer is an empty field")
        for (row, line) in lines.dropFirst().dropLast().enumerated() where row % 7 != 6 {
            #expect(line.split(separator: ",", maxSplits: 1).first.map(String.init) == String(integers[row]), "row \(row)")
        }
        let deflater = Gzip.Deflater()
        var compressed: [UInt8] = []
        for piece in pieces { deflater.append(piece, finish: false) { compressed += $0 } }
        deflater.append([], finish: true) { compressed += $0 }
        #expect(compressed == Gzip.compress(Array(whole.utf8)))
    }

    /// Dates written another way are read by a pattern: whole values only, real days only.
    @Test func datePatternsReadTheirDates() throws {
        #expect(DatePattern("MM/DD/YYYY") != nil && DatePattern("DD.MM.YYYY HH:mm:SS") != nil)
        for bad in ["mm/dd/yyyy", "MM/DD", "YYYY-MM-DD-DD", "D/M/YYYY", ""] { #expect(DatePattern(bad) == nil, "\(bad)") }
        let us = try #require(DatePattern("MM/DD/YYYY"))
        #expect(us.parse("03/23/2019") == DateTimeFormat.parse("2019-03-23"))
        #expect(us.parse("1/5/2020") == DateTimeFormat.parse("2020-01-05"))
        #expect(us.parse("02/29/2020") == DateTimeFormat.parse("2020-02-29"))
        for bad in ["02/29/2019", "13/01/2020", "00/10/2020", "03/23/19", "03/23/2019 ", "3-23-2019", "003/23/2019"] { #expect(us.parse(bad) == nil, "\(bad)") }
        let european = try #require(DatePattern("DD.MM.YYYY HH:mm"))
        #expect(european.parse("23.03.2019 14:05") == DateTimeFormat.parse("2019-03-23 14:05"))
        #expect(european.parse("23.03.2019 24:00") == nil && european.parse("23.03.2019") == nil)

        let text = "id,visit,when,code\n1,03/23/2019,23.03.2019 14:05,12/01/2019\n2,,01.12.2019 09:30,x\n3,1/5/2020,05.01.2020 00:00,1/5/2020\n"
        var options = CSVOptions()
        options.dates = us
        let table = try CSVReader.parse(text: text, options: options)
        #expect(table.column(named: "visit")?.kind == .datetime && table.column(named: "visit")?.isMissing(1) == true)
        #expect(table.column(named: "visit")?.text(at: 2) == "2020-01-05 00:00:00")
        #expect(table.column(named: "when")?.kind == .categorical, "another pattern")
        #expect(table.column(named: "code")?.kind == .categorical, "a column with one value that is no date")
        #expect(CSVWriter.render(table).contains("1,2019-03-23,23.03.2019 14:05,12/01/2019\n"), "written as ISO dates")
        // A column forced to be dates must be; a kind given otherwise is kept.
        options.kindOverrides = ["code": .datetime]
        #expect(throws: CSVError(file: "<text>", line: 0, problem: .badValue(column: "code", value: "x", kind: .datetime))) {
            try CSVReader.parse(text: text, options: options)
        }
        options.kindOverrides = ["visit": .categorical]
        #expect(try CSVReader.parse(text: text, options: options).column(named: "visit")?.kind == .categorical)
        // A pattern per column: each column its own, and each one named must be dates.
        var perColumn = CSVOptions()
        perColumn.columnDates = ["visit": us, "when": european]
        let both = try CSVReader.parse(text: text, options: perColumn)
        #expect(both.column(named: "visit")?.kind == .datetime && both.column(named: "when")?.kind == .datetime)
        #expect(both.column(named: "when")?.text(at: 1) == "2019-12-01 09:30:00")
        #expect(both.column(named: "code")?.kind == .categorical, "a column no pattern names")
        perColumn.columnDates = ["cod": us]
        #expect(throws: CSVError(file: "<text>", line: 1, problem: .unknownColumn("cod", known: ["id", "visit", "when", "code"]))) {
            try CSVReader.parse(text: text, options: perColumn)
        }

        // Without a pattern, such columns are named with the patterns that would read them.
        let guesses = CSVReader.datePatternGuesses(try CSVReader.parse(text: text + "4,12/13/2019,13.12.2019 10:00,x\n"))
        #expect(guesses.map(\.column) == ["visit", "when"])
        #expect(guesses.map(\.patterns) == [["MM/DD/YYYY"], ["DD.MM.YYYY HH:mm"]])
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n01/02/2020\n03/04/2021\n")).first?.patterns == ["MM/DD/YYYY", "DD/MM/YYYY"])
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n13/02/2020\n03/14/2021\n")).isEmpty, "no order reads both")
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n2019/03/23\n2020/1/5\n")).first?.patterns == ["YYYY/MM/DD"])
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n2019/23/03\n")).isEmpty, "a month past 12")
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n2019/03/23\n03/23/2019\n")).isEmpty, "two orders in one column")
        #expect(CSVReader.datePatternGuesses(try CSVReader.parse(text: "d\n2019-03-23\n")).isEmpty, "ISO dates read as dates")
        #expect(DatePattern("YYYY/MM/DD")?.parse("2020/1/5") == DateTimeFormat.parse("2020-01-05"))
    }

    /// Numbers beside infinities read as categories, and the note gives the missing-value tokens
    /// that read the rest as numbers.
    @Test func infinitiesAreNamedWithTheTokensThatLeaveThemOut() throws {
        let text = "x,y,z\n1.5,inf,a\ninf,inf,b\n-Infinity,inf,c\n2,inf,d\n"
        let notes = ReadingNote.of(try CSVReader.parse(text: text), options: CSVOptions())
        #expect(notes == [.infinities(columns: ["x"], tokens: ["-Infinity", "inf"])], "y has no finite number, z no number")
        #expect(try #require(notes.first).commandLine
                == "x holds numbers and infinities (-Infinity, inf), read as categories; --also-missing='-Infinity' --also-missing='inf' reads the infinities as missing and the rest as numbers")
        let read = try CSVReader.parse(text: text, options: CSVOptions(missingTokens: CSVOptions.defaultMissingTokens.union(["-Infinity", "inf"])))
        #expect(read.column(named: "x")?.kind == .continuous && read.column(named: "x")?.missingCount == 2)
    }

    @Test func dateTimes() {
        #expect(DateTimeFormat.parse("1970-01-01") == 0)
        #expect(DateTimeFormat.parse("1970-01-02T00:00:01.5Z") == 86_401_500_000)
        #expect(DateTimeFormat.parse("1969-12-31 23:59:59") == -1_000_000)
        #expect(DateTimeFormat.parse("2019-02-29") == nil)
        #expect(DateTimeFormat.parse("2020-02-29 24:00:00") == nil)
        #expect(DateTimeFormat.parse("2020-13-01") == nil)
        let moment = DateTimeFormat.parse("2024-02-29 13:45:07.000123")!
        #expect(DateTimeFormat.format(microseconds: moment, dateOnly: false) == "2024-02-29 13:45:07.000123")
        #expect(DateTimeFormat.format(microseconds: -1_000_000, dateOnly: false) == "1969-12-31 23:59:59")
    }
}
