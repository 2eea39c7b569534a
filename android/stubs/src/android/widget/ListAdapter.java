// Compile-check stub: signatures of the public Android API (developer.android.com), no behaviour.
package android.widget;

public interface ListAdapter extends Adapter {
}
