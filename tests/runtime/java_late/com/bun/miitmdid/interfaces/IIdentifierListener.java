package com.bun.miitmdid.interfaces;

public interface IIdentifierListener {
    void OnSupport(boolean isSupport, IdSupplier supplier);
}
