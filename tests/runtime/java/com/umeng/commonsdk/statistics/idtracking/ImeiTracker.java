package com.umeng.commonsdk.statistics.idtracking;

import android.content.Context;
import android.telephony.TelephonyManager;

/** Umeng's identifier tracker: tries the IMEI the old way, then the new one. */
public class ImeiTracker {
    public static String f(Context context) {
        TelephonyManager tm = (TelephonyManager) context.getSystemService(Context.TELEPHONY_SERVICE);
        try {
            return tm.getDeviceId();
        } catch (SecurityException denied) {
            return tm.getImei();
        }
    }
}
