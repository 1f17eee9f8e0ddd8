package com.example.rental;

import android.app.Application;
import cn.jpush.android.api.JPushInterface;
import com.umeng.commonsdk.UMConfigure;

/**
 * 安心租房 (stand-in): the Application class. The compliance defect under test is here: the
 * analytics and push SDKs are initialised in onCreate, before the privacy policy is shown.
 */
public class RentalApplication extends Application {
    @Override
    public void onCreate() {
        super.onCreate();
        UMConfigure.init(this, "5f8e2c1ab4c2a10e3d5f6a7b", "huawei", UMConfigure.DEVICE_TYPE_PHONE, null);
        JPushInterface.init(this);
    }
}
