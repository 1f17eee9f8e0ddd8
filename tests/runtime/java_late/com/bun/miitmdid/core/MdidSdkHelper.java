package com.bun.miitmdid.core;

import android.content.Context;
import com.bun.miitmdid.interfaces.IIdentifierListener;
import com.bun.miitmdid.supplier.xiaomi.XiaomiSupplier;

/** MSA SDK entry point, with its real signature. */
public class MdidSdkHelper {
    public static int InitSdk(Context context, boolean isLogOn, IIdentifierListener listener) {
        listener.OnSupport(true, new XiaomiSupplier());
        return 0;
    }
}
