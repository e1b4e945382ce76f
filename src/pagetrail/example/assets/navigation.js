/* Heartwood: toggle the main menu on small screens. */
( function() {
	var nav = document.getElementById( 'site-navigation' ), button, menu;
	if ( ! nav ) return;
	button = nav.getElementsByTagName( 'h3' )[0];
	menu = nav.getElementsByTagName( 'ul' )[0];
	if ( ! button || ! menu ) return;
	button.onclick = function() {
		menu.className = menu.className.indexOf( 'toggled-on' ) === -1 ? menu.className + ' toggled-on' : menu.className.replace( ' toggled-on', '' );
	};
} )();
