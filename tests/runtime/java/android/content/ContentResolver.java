package android.content;

import android.database.Cursor;
import android.database.MatrixCursor;
import android.net.Uri;
import android.os.Bundle;
import android.os.CancellationSignal;

/** Stand-in: the 5-argument query ends in the Bundle overload, as on Android 8+. */
public abstract class ContentResolver {
    public final Cursor query(Uri uri, String[] projection, String selection, String[] selectionArgs,
            String sortOrder) {
        Bundle args = new Bundle();
        args.putString("android:query-arg-sql-selection", selection);
        return query(uri, projection, args, (CancellationSignal) null);
    }

    public final Cursor query(Uri uri, String[] projection, Bundle queryArgs, CancellationSignal cancellationSignal) {
        return new MatrixCursor(projection == null ? new String[0] : projection, uri.toString().contains("contacts") ? 2 : 0);
    }
}
