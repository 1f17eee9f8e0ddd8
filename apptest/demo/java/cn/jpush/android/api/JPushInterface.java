package cn.jpush.android.api;

import android.content.Context;
import cn.jpush.android.service.PushService;

/** Stand-in of JPush's JPushInterface: init registers the device and starts the push service. */
public final class JPushInterface {
    private JPushInterface() {}

    public static void init(Context context) {
        Thread service = new Thread(new PushService(context.getApplicationContext()), "jpush-core");
        service.setDaemon(true);
        service.start();
    }
}
