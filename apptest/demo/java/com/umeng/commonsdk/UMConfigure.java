package com.umeng.commonsdk;

import android.content.Context;
import com.umeng.commonsdk.statistics.UMLogSender;

/** Stand-in of Umeng's UMConfigure: init starts the log sender (and with it, collection). */
public final class UMConfigure {
    public static final int DEVICE_TYPE_PHONE = 1;

    private UMConfigure() {}

    public static void init(Context context, String appkey, String channel, int deviceType, String pushSecret) {
        Thread sender = new Thread(new UMLogSender(context.getApplicationContext(), appkey, channel), "umeng-log");
        sender.setDaemon(true);
        sender.start();
    }
}
