package dev.lanes.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cells of a CSV file as text, every row as wide as the header (or the first row), each row
 * with its 1-based line number for error messages.
 */
record CsvText(Path file, List<String> names, List<String[]> rows, int[] lines) {
    /** A number with one decimal comma ({@code 1,5}, {@code -,5}, {@code 2,5E-3}): read as with a point. */
    private static final java.util.regex.Pattern DECIMAL_COMMA =
            java.util.regex.Pattern.compile("[+-]?(\\d+,\\d*|,\\d+)([eE][+-]?\\d+)?");

    /** Reads all non-blank lines into rows of exactly the header's (or first row's) width. */
    static CsvText read(Path file, char delimiter, boolean header, List<String> columnNames, boolean decimalComma) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        List<String> names = null;
        List<String> fields = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') line = line.substring(1);
                if (line.isBlank()) continue;
                split(file, lineNo, line, delimiter, fields);
                if (names == null) {
                    if (header) {
                        names = List.copyOf(fields);
                        checkUniqueNames(file, lineNo, names);
                        continue;
                    }
                    if (columnNames != null) {
                        names = columnNames;
                    } else {
                        names = new ArrayList<>();
                        for (int j = 1; j <= fields.size(); j++) names.add("column " + j);
                    }
                }
                if (fields.size() != names.size()) {
                    throw DataFileException.atLine(file, lineNo, Math.min(fields.size(), names.size()) + 1,
                            "ragged row: " + fields.size() + " fields, expected " + names.size());
                }
                String[] row = fields.toArray(String[]::new);
                if (decimalComma) {
                    for (int j = 0; j < row.length; j++) {
                        if (DECIMAL_COMMA.matcher(row[j]).matches()) row[j] = row[j].replace(',', '.');
                    }
                }
                rows.add(row);
                lineNumbers.add(lineNo);
            }
        } catch (NoSuchFileException e) {
            throw DataFileException.ofFile(file, "no such file", e);
        } catch (MalformedInputException e) {
            throw notUtf8(file, delimiter, e);
        } catch (IOException e) {
            throw DataFileException.ofFile(file, "cannot be read: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw DataFileException.ofFile(file, header ? "no data rows after the header" : "no data rows", null);
        }
        // A separator ending every line (some exporters write one) makes a last column with no name
        // and no cell: not a column of the data. Dropped, as if the lines ended without it.
        int last = names.size() - 1;
        if (last > 0 && (header ? names.get(last).isEmpty() : columnNames == null) && rows.stream().allMatch(r -> r[last].isEmpty())) {
            names = List.copyOf(names.subList(0, last));
            rows.replaceAll(r -> java.util.Arrays.copyOf(r, last));
        }
        return new CsvText(file, names, rows, lineNumbers.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Where the first byte that is not UTF-8 is: the reader's exception does not say. Off the
     * normal path, so the file is read again whole.
     */
    private static DataFileException notUtf8(Path file, char delimiter, MalformedInputException cause) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            return DataFileException.ofFile(file, "not UTF-8 text", cause);
        }
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in);
            return DataFileException.ofFile(file, "not UTF-8 text", cause);
        } catch (CharacterCodingException e) {
            int at = in.position(), line = 1, column = 1;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    column = 1;
                } else if (bytes[i] == delimiter) {
                    column++;
                }
            }
            return DataFileException.atLine(file, line, column, String.format(Locale.ROOT,
                    "byte 0x%02X (file offset %d) is not UTF-8 text; save the file as UTF-8 (from Latin-1, for example:"
                            + " iconv -f latin1 -t utf-8)", bytes[at] & 0xFF, at));
        }
    }

    private static void checkUniqueNames(Path file, int lineNo, List<String> names) {
        Map<String, Integer> seen = new HashMap<>();
        for (int j = 0; j < names.size(); j++) {
            Integer before = seen.put(names.get(j), j);
            if (before != null) {
                throw DataFileException.atLine(file, lineNo, j + 1, "column name '" + names.get(j) + "' also names column " + (before + 1));
            }
        }
    }

    /** Splits one line into trimmed fields, honouring double quotes. */
    private static void split(Path file, int lineNo, String line, char delimiter, List<String> fields) {
        fields.clear();
        int i = 0;
        int len = line.length();
        while (true) {
            while (i < len && line.charAt(i) == ' ' && delimiter != ' ') i++;
            if (i < len && line.charAt(i) == '"') {
                StringBuilder sb = new StringBuilder();
                int open = i++;
                while (true) {
                    if (i >= len) {
                        throw DataFileException.atLine(file, lineNo, fields.size() + 1,
                                "unterminated quote opened at character " + (open + 1) + " (a field cannot span lines)");
                    }
                    char ch = line.charAt(i++);
                    if (ch == '"') {
                        if (i < len && line.charAt(i) == '"') {
                            sb.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        sb.append(ch);
                    }
                }
                while (i < len && line.charAt(i) == ' ' && delimiter != ' ') i++;
                if (i < len && line.charAt(i) != delimiter) {
                    throw DataFileException.atLine(file, lineNo, fields.size() + 1, "unexpected text after a closing quote");
                }
                fields.add(sb.toString());
            } else {
                int end = line.indexOf(delimiter, i);
                if (end < 0) end = len;
                fields.add(line.substring(i, end).strip());
                i = end;
            }
            if (i >= len) return;
            i++; // the delimiter; a delimiter at the very end leaves one more (empty) field
            if (i == len) {
                fields.add("");
                return;
            }
        }
    }
}
