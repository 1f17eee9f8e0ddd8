package android.database;

public class MatrixCursor implements Cursor {
    private final String[] columns;
    private final int rows;

    public MatrixCursor(String[] columnNames, int rows) {
        this.columns = columnNames;
        this.rows = rows;
    }

    @Override
    public int getCount() {
        return rows;
    }

    @Override
    public void close() {
    }
}
